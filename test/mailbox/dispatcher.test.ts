import { describe, expect, it } from 'vitest';
import { createDispatcher, createSyncDispatcher, type Runnable } from '../../src/mailbox/dispatcher.js';

/** A runnable with `work` messages that records each turn's size. */
function worker(name: string, work: number, log: string[]): Runnable & { left: number } {
  return {
    left: work,
    run(budget) {
      const n = Math.min(budget, this.left);
      this.left -= n;
      log.push(`${name}:${n}`);
      return this.left > 0;
    },
  };
}

describe('createDispatcher', () => {
  it('runs nothing synchronously and drains in a later microtask', async () => {
    const log: string[] = [];
    const d = createDispatcher({ throughput: 10 });
    d.schedule(worker('a', 5, log));
    expect(log).toEqual([]);
    await Promise.resolve();
    expect(log).toEqual(['a:5']);
  });

  it('gives each ready runnable at most `throughput` per turn, round robin', async () => {
    const log: string[] = [];
    const d = createDispatcher({ throughput: 10 });
    d.schedule(worker('a', 25, log));
    d.schedule(worker('b', 12, log));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['a:10', 'b:10', 'a:10', 'b:2', 'a:5']);
  });

  it('yields to timers while runnables keep rescheduling forever', async () => {
    const d = createDispatcher({ throughput: 1, sliceMs: 1 });
    let spins = 0;
    let spinsWhenTimerFired = -1;
    let stop = false;
    const forever: Runnable = {
      run() {
        spins++;
        return !stop;
      },
    };
    d.schedule(forever);
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        spinsWhenTimerFired = spins;
        stop = true;
        resolve();
      }, 5),
    );
    // The runnable was still rescheduling itself when the timer fired: the timer was not starved.
    expect(spinsWhenTimerFired).toBeGreaterThan(0);
    expect(stop).toBe(true);
  });

  it('drops a runnable that throws and keeps running the others', async () => {
    const log: string[] = [];
    const d = createDispatcher({ throughput: 10 });
    d.schedule({
      run() {
        throw new Error('bad runnable');
      },
    });
    d.schedule(worker('b', 3, log));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['b:3']);
    d.schedule(worker('c', 1, log));
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['b:3', 'c:1']);
  });
});

describe('createSyncDispatcher', () => {
  it('drains before schedule returns', () => {
    const log: string[] = [];
    const d = createSyncDispatcher(10);
    d.schedule(worker('a', 15, log));
    expect(log).toEqual(['a:10', 'a:5']);
  });

  it('queues a schedule made during a drain instead of running it re-entrantly', () => {
    const log: string[] = [];
    const d = createSyncDispatcher(10);
    const inner = worker('inner', 1, log);
    d.schedule({
      run() {
        log.push('outer:start');
        d.schedule(inner);
        log.push('outer:end');
        return false;
      },
    });
    expect(log).toEqual(['outer:start', 'outer:end', 'inner:1']);
  });
});
