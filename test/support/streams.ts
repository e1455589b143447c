import { afterEach } from 'vitest';
import { type ActorSystem, fromStream, TroupeError } from '../../src/index.js';

/** Shuts down, one after the other, the systems `systems()` names after each test (unset ones are skipped). */
export function shutDownAfterEach(systems: () => (ActorSystem | undefined)[]): void {
  afterEach(async () => {
    for (const system of systems()) await system?.shutdown();
  });
}

/** Every value of `iterable`, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}

/** The TroupeError `promise` rejects with; anything else (a fulfilment, another error) fails. */
export async function rejection(promise: Promise<unknown>): Promise<TroupeError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TroupeError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** Yields forever until its signal aborts; the abort reasons land in `reasons`. */
export function endless(reasons: unknown[], onAbort?: () => void) {
  return fromStream(async function* ({ signal }) {
    signal.addEventListener('abort', () => {
      reasons.push(signal.reason);
      onAbort?.();
    });
    for (let i = 0; !signal.aborted; i++) yield i;
  });
}
