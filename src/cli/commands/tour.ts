/**
 * `troupe tour`: troupe in one process, no network, no keys.
 * Spawns actors, tells and asks, floods a bounded mailbox, crashes a worker under a supervisor
 * and watches it come back at the same address, streams from a generator, and prints the stats.
 */
import { assign, sendTo, setup } from 'xstate';
import { createSystem, type DeadLetter, fromStream, gather, type ReplyTo, supervisor, supervisorRef } from '../../index.js';

const worker = setup({
  types: {
    context: {} as { done: number },
    events: {} as { type: 'task'; text: string; replyTo: ReplyTo } | { type: 'poison' } | { type: 'count'; replyTo: ReplyTo },
  },
}).createMachine({
  id: 'worker',
  context: { done: 0 },
  on: {
    task: {
      actions: [
        assign({ done: ({ context }) => context.done + 1 }),
        sendTo(
          ({ event }) => event.replyTo,
          ({ event }) => ({ type: 'result', words: event.text.split(/\s+/).length }),
        ),
      ],
    },
    count: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'count', value: context.done }),
      ),
    },
    poison: {
      actions: () => {
        throw new Error('poisoned task');
      },
    },
  },
});

/** Runs the showcase, writing its report through `print` (default: stdout). */
export async function runTour(print: (text: string) => void = (text) => console.log(text)): Promise<void> {
  const line = (label: string, value: unknown) =>
    print(`  ${label.padEnd(34)} ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const system = createSystem({ node: 'demo' });
  const letters: DeadLetter[] = [];
  system.deadLetters.subscribe((d) => letters.push(d));
  let restarts = 0;
  system.inspect((e) => {
    if (e.type === '@troupe.supervisor' && e.action === 'restart') restarts++;
  });

  print('\n1. spawn, tell and ask');
  const app = system.spawn(
    supervisor({
      strategy: 'one-for-one',
      intensity: 3,
      periodMs: 5000,
      children: [
        { id: 'w1', logic: worker },
        { id: 'w2', logic: worker },
        { id: 'w3', logic: worker },
      ],
    }),
    { name: 'app' },
  );
  const w1 = system.lookup('app/w1');
  if (w1 === undefined) throw new Error('app/w1 did not start');
  line('w1 address', w1.address);
  const reply = await w1.ask({ type: 'task', text: 'actors all the way down' }, { timeoutMs: 1000 });
  line('ask w1 → reply', reply);

  print('\n2. fire-and-gather over three workers');
  const refs = ['w1', 'w2', 'w3'].map((id) => system.lookup(`app/${id}`)).filter((r) => r !== undefined);
  const results = await gather(refs, { type: 'task', text: 'one two three' }, { timeoutMs: 1000 });
  line('gather statuses', results.map((r) => r.status).join(', '));

  print('\n3. a crash under a supervisor');
  w1.send({ type: 'poison' });
  const again = await w1.ask<{ value: number }>({ type: 'count' }, { timeoutMs: 1000 });
  line('w1 restarted, same address', system.lookup('app/w1')?.address ?? 'gone');
  line('w1 state after restart (fresh)', `done = ${again.value}`);
  line('restarts seen in inspection', restarts);
  const children = await supervisorRef(app).countChildren();
  line('countChildren()', children);

  print('\n4. a bounded mailbox overflows into dead letters');
  const small = system.spawn(worker, { name: 'small', mailbox: { capacity: 10, overflow: 'drop-newest' } });
  for (let i = 0; i < 25; i++) small.send({ type: 'count', replyTo: system.ref('troupe://demo/nobody') });
  await small.ask({ type: 'count' }, { timeoutMs: 1000 }).catch((e: Error) => line('ask to the full mailbox', e.message));
  const reasons = letters.reduce<Record<string, number>>((acc, d) => {
    acc[d.reason] = (acc[d.reason] ?? 0) + 1;
    return acc;
  }, {});
  line('dead letters by reason', reasons);

  print('\n5. a stream with backpressure');
  const counter = system.spawn(
    fromStream(async function* ({ event }: { event: { type: 'count'; to: number } }) {
      for (let i = 1; i <= event.to; i++) yield i;
    }),
    { name: 'numbers' },
  );
  let sum = 0;
  for await (const n of counter.stream<number>({ type: 'count', to: 1000 })) sum += n;
  line('sum of 1..1000 streamed', sum);

  print('\n6. mailbox stats');
  for (const s of system.stats().mailboxes)
    line(
      s.address.replace('troupe://demo/', ''),
      `processed ${s.processed}, depth ${s.depth}, dropped ${s.dropped}, restarts ${s.restarts}`,
    );

  await system.shutdown();
  print('\nshut down: every tree stopped, children first.\n');
}
