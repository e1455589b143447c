import { assign, sendTo, setup } from 'xstate';
import { type ActorSystem, createSystem, type InspectionEvent, type ReplyTo, SimulatedClock } from '../../src/index.js';

/** Makes a worker's next `left` starts crash (its entry action throws); shared by reference across restarts. */
export interface StartFailures {
  left: number;
}

/**
 * A supervised worker: `inc` counts, `get` replies `{ type: 'count', value }`, `crash` throws,
 * `finish` ends it normally. With `input.failStarts`, its start crashes while `left > 0`.
 */
export const workerMachine = setup({
  types: {
    context: {} as { n: number; failStarts?: StartFailures },
    input: {} as { failStarts?: StartFailures } | undefined,
    events: {} as { type: 'inc' } | { type: 'get'; replyTo: ReplyTo } | { type: 'crash' } | { type: 'finish' },
  },
}).createMachine({
  id: 'worker',
  context: ({ input }) => ({ n: 0, failStarts: input?.failStarts }),
  entry: ({ context }) => {
    const failures = context.failStarts;
    if (failures !== undefined && failures.left > 0) {
      failures.left--;
      throw new Error('start failed');
    }
  },
  initial: 'working',
  states: {
    working: {
      on: {
        inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
        get: {
          actions: sendTo(
            ({ event }) => event.replyTo,
            ({ context }) => ({ type: 'count', value: context.n }),
          ),
        },
        crash: {
          actions: () => {
            throw new Error('crash');
          },
        },
        finish: 'done',
      },
    },
    done: { type: 'final' },
  },
});

/** A worker whose start always crashes. */
export const brokenMachine = setup({}).createMachine({
  id: 'broken',
  entry: () => {
    throw new Error('cannot start');
  },
});

/** A deterministic system (sync dispatcher, simulated clock) that records supervisor and actor events. */
export function testSystem(node = 'n'): {
  system: ActorSystem;
  clock: SimulatedClock;
  events: InspectionEvent[];
  /** `@troupe.supervisor` events as short lines: `action child reason detail`. */
  supervisorLog(): string[];
  /** `@troupe.actor` events as short lines: `status path`. */
  actorLog(): string[];
  clear(): void;
} {
  const clock = new SimulatedClock();
  const system = createSystem({ node, clock, dispatcher: 'sync' });
  const events: InspectionEvent[] = [];
  system.inspect((e) => {
    if (e.type === '@troupe.supervisor' || e.type === '@troupe.actor') events.push(e);
  });
  const prefix = `troupe://${node}/`;
  const path = (address: string | undefined) => (address ?? '').slice(prefix.length);
  return {
    system,
    clock,
    events,
    supervisorLog: () =>
      events.flatMap((e) =>
        e.type === '@troupe.supervisor'
          ? [
              [path(e.address), e.action, path(e.child), e.reason === undefined ? '' : short(e.reason), e.detail ?? '']
                .filter(Boolean)
                .join(' '),
            ]
          : [],
      ),
    actorLog: () => events.flatMap((e) => (e.type === '@troupe.actor' ? [`${e.status} ${path(e.address)}`] : [])),
    clear: () => {
      events.length = 0;
    },
  };
}

/** A reason as a word: `normal`, `shutdown`, `killed`, or `error(<message>)`. */
export function short(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const error = (reason as { error?: unknown }).error;
  if (error instanceof Error) return `error(${(error as { code?: string }).code ?? error.message})`;
  return `error(${String(error)})`;
}

/** The count a worker replies with. */
export async function countOf(system: ActorSystem, path: string): Promise<number> {
  const ref = system.lookup(path);
  if (ref === undefined) throw new Error(`no actor at ${path}`);
  const reply = await ref.ask<{ value: number }>({ type: 'get' }, { timeoutMs: 1000 });
  return reply.value;
}
