/**
 * Resolves after `count` calls to `unlock`, or rejects after `ms` (nats.js `Lock(count, ms)`).
 * Tests wait on latches, never on bare sleeps.
 */
export function latch(count = 1, ms = 5000): { unlock(): void; wait: Promise<void>; readonly remaining: number } {
  let remaining = count;
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const wait = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`latch timed out with ${remaining} of ${count} remaining`)), ms);
  if (count <= 0) {
    clearTimeout(timer);
    resolve();
  }
  return {
    unlock() {
      if (--remaining === 0) {
        clearTimeout(timer);
        resolve();
      }
    },
    wait,
    get remaining() {
      return remaining;
    },
  };
}

/** Polls `predicate` every tick until true, rejecting after `ms`. */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}
