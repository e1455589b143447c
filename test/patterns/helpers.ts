/** Workers for pattern tests: plain XState logic that speaks the worker protocol. */
import { fromCallback, sendTo, setup } from 'xstate';
import type { ActorSystem, ReplyTo } from '../../src/index.js';
import type { Usage } from '../../src/patterns/worker-protocol.js';

interface TaskIn {
  type: string;
  input?: unknown;
  taskId?: string;
  replyTo?: ReplyTo;
}

/** What a test worker's function may return: an output, or an output with usage. */
export type Answer = unknown;

/**
 * A worker whose `run(input, signal)` answers each task (concurrently); a throw answers with
 * `troupe.error`; `{ type: 'cancel', taskId }` aborts that task's signal. `crash(input)` true makes
 * the actor itself crash on that task.
 */
export function taskWorker(
  run: (input: unknown, signal: AbortSignal) => Promise<Answer> | Answer,
  options: { usage?: (input: unknown, output: unknown) => Usage | undefined; crash?: (input: unknown) => boolean } = {},
) {
  return fromCallback<TaskIn>(({ receive }) => {
    const running = new Map<string, AbortController>();
    receive((event) => {
      if (event.type === 'cancel' && event.taskId !== undefined) {
        running.get(event.taskId)?.abort();
        return;
      }
      if (event.type !== 'task' || event.replyTo === undefined) return;
      if (options.crash?.(event.input)) throw new Error(`crash on ${JSON.stringify(event.input)}`);
      const replyTo = event.replyTo;
      const controller = new AbortController();
      const taskId = event.taskId ?? '';
      running.set(taskId, controller);
      Promise.resolve()
        .then(() => run(event.input, controller.signal))
        .then(
          (output) => {
            const usage = options.usage?.(event.input, output);
            replyTo.send(usage === undefined ? { type: 'result', output, taskId } : { type: 'result', output, usage, taskId });
          },
          (err: unknown) =>
            replyTo.send({
              type: 'troupe.error',
              code: 'TROUPE_ERR_WORKER_FAILED',
              error: { name: 'Error', message: err instanceof Error ? err.message : String(err) },
            }),
        )
        .finally(() => running.delete(taskId));
    });
  });
}

/** A plain XState machine worker: answers `{ type: 'task', input: n }` with `n * 2`. */
export const doubler = setup({
  types: { events: {} as { type: 'task'; input: number; taskId?: string; replyTo: ReplyTo } },
}).createMachine({
  on: {
    task: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ event }) => ({ type: 'result', output: event.input * 2, taskId: event.taskId }),
      ),
    },
  },
});

/** Resolves once `check()` holds, polling every 5 ms; rejects after `ms`. */
export async function eventually(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what} did not hold within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Live actors of a system. */
export function actors(system: ActorSystem): number {
  return system.stats().actors;
}

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
