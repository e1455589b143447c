import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { type ActorSystem, createSystem, type InspectionEvent, TroupeError } from '../../src/index.js';
import { fanOut } from '../../src/patterns/fan-out.js';
import { actors, deferred, doubler, eventually, taskWorker } from './helpers.js';

const systems: ActorSystem[] = [];
function system(options: Parameters<typeof createSystem>[0] = {}): ActorSystem {
  const s = createSystem(options);
  systems.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

describe('fanOut', () => {
  it('returns one result per item in item order, a failure beside the successes', async () => {
    const sys = system();
    const worker = taskWorker(async (n) => {
      if (n === 3) throw new Error('three is bad');
      await new Promise((r) => setTimeout(r, (10 - (n as number)) * 2));
      return (n as number) * 10;
    });
    const results = await fanOut<number, number>(sys, { worker, items: [1, 2, 3, 4, 5], concurrency: 5, timeoutMs: 2000 });
    expect(results.map((r) => (r.status === 'ok' ? r.value : r.error.code))).toEqual([10, 20, 'TROUPE_ERR_WORKER_FAILED', 40, 50]);
  });

  it('works with a plain XState machine as the worker, and with a ref', async () => {
    const sys = system();
    const byLogic = await fanOut<number, number>(sys, { worker: doubler, items: [1, 2, 3] });
    expect(byLogic).toEqual([1, 2, 3].map((n) => ({ status: 'ok', value: n * 2 })));
    const ref = sys.spawn(doubler, { name: 'd' });
    const byRef = await fanOut<number, number>(sys, { worker: ref, items: [4, 5] });
    expect(byRef).toEqual([
      { status: 'ok', value: 8 },
      { status: 'ok', value: 10 },
    ]);
    expect(actors(sys)).toBe(1); // the ref it was given is not its to stop
  });

  it('never runs more than `concurrency` items at once', async () => {
    const sys = system();
    let inFlight = 0;
    let most = 0;
    const worker = taskWorker(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      return 'ok';
    });
    const results = await fanOut(sys, { worker, items: Array.from({ length: 40 }, (_, i) => i), concurrency: 4 });
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(most).toBe(4);
  });

  it('starts a batch only once the previous batch finished', async () => {
    const sys = system();
    const order: string[] = [];
    const worker = taskWorker(async (n) => {
      order.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, (n as number) % 2 === 0 ? 5 : 1));
      order.push(`end ${n}`);
      return n;
    });
    await fanOut(sys, { worker, items: [0, 1, 2, 3], concurrency: 10, batchSize: 2 });
    expect(order.indexOf('start 2')).toBeGreaterThan(order.indexOf('end 0'));
    expect(order.indexOf('start 2')).toBeGreaterThan(order.indexOf('end 1'));
  });

  it('reports progress once per item and emits @troupe.pattern events', async () => {
    const sys = system();
    const events: InspectionEvent[] = [];
    sys.inspect((e) => events.push(e));
    const seen: number[] = [];
    await fanOut<number, number>(sys, { worker: doubler, items: [1, 2, 3], onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([1, 2, 3]);
    const steps = events.flatMap((e) => (e.type === '@troupe.pattern' ? [e.step] : []));
    expect(steps[0]).toBe('start');
    expect(steps.filter((s) => s === 'task-done')).toHaveLength(3);
    expect(steps.at(-1)).toBe('done');
  });

  it('rejects with the error of an onProgress that throws, with no unhandled rejection and no actor left', async () => {
    const sys = system();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Item 0 finishes first; its onProgress throws while item 1 still runs (concurrency 2).
      const worker = taskWorker(async (n) => {
        await new Promise((r) => setTimeout(r, (n as number) * 40));
        return n;
      });
      const boom = new Error('progress callback failed');
      const err = await fanOut(sys, {
        worker,
        items: [0, 1, 2, 3],
        concurrency: 2,
        onProgress: () => {
          throw boom;
        },
      }).catch((e: unknown) => e);
      expect(err).toBe(boom);
      await new Promise((r) => setTimeout(r, 150));
      expect(unhandled).toEqual([]);
      await eventually(() => actors(sys) === 0, 2000, 'no actor left');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('leaves no actor behind when it finished, failed or was aborted', async () => {
    const sys = system();
    const baseline = actors(sys);
    await fanOut(sys, { worker: doubler, items: [1, 2, 3, 4] });
    expect(actors(sys)).toBe(baseline);

    const failing = taskWorker(() => {
      throw new Error('no');
    });
    await fanOut(sys, { worker: failing, items: [1, 2] });
    expect(actors(sys)).toBe(baseline);

    const started = deferred();
    const hanging = taskWorker(
      (_n, signal) =>
        new Promise((_resolve, reject) => {
          started.resolve();
          signal.addEventListener('abort', () => reject(new Error('cancelled')));
        }),
    );
    const controller = new AbortController();
    const run = fanOut(sys, { worker: hanging, items: [1, 2, 3], concurrency: 3, signal: controller.signal, timeoutMs: 10_000 });
    await started.promise;
    expect(actors(sys)).toBeGreaterThan(baseline);
    controller.abort();
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
    expect(actors(sys)).toBe(baseline);
  });

  it("stops its workers and rejects with TROUPE_ERR_CANCELLED when the caller's actor exits", async () => {
    const sys = system();
    const caller = sys.spawn(
      fromCallback(() => () => {}),
      { name: 'caller' },
    );
    const started = deferred();
    const hanging = taskWorker(() => {
      started.resolve();
      return new Promise(() => {});
    });
    const run = fanOut(sys, { worker: hanging, items: [1, 2], parent: caller, timeoutMs: 10_000 });
    await started.promise;
    expect(actors(sys)).toBe(4); // caller, scope, two workers
    await sys.stop(caller);
    await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_CANCELLED' });
    expect(actors(sys)).toBe(0);
  });

  it('times out an item without sinking the others', async () => {
    const sys = system();
    const worker = taskWorker((n) => (n === 2 ? new Promise(() => {}) : n));
    const results = await fanOut(sys, { worker, items: [1, 2, 3], timeoutMs: 300 });
    expect(results.map((r) => r.status)).toEqual(['ok', 'error', 'ok']);
    expect(results[1]).toMatchObject({ error: { code: 'TROUPE_ERR_TIMEOUT' } });
  });

  it('rejects bad options at once', async () => {
    const sys = system();
    await expect(fanOut(sys, { worker: doubler, items: [1], concurrency: 0 })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    await expect(fanOut(sys, { worker: 42 as never, items: [1] })).rejects.toBeInstanceOf(TroupeError);
    await expect(fanOut(sys, { worker: doubler, items: 'abc' as never })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
  });

  describe('with workers on another node', () => {
    it('spawns them there under its scope and leaves none behind, finished or aborted', async () => {
      const hang = taskWorker(() => new Promise(() => {}));
      const beta = system({ node: 'beta', listen: { port: 0 }, secret: 's', logic: { doubler, hang } });
      await beta.ready;
      const alpha = system({ node: 'alpha', secret: 's' });
      await alpha.connect(`ws://127.0.0.1:${beta.listenAddress?.port}`);
      const betaBaseline = actors(beta);

      const results = await fanOut<number, number>(alpha, {
        worker: { node: 'beta', logic: 'doubler' },
        items: [1, 2, 3],
        timeoutMs: 5000,
      });
      expect(results).toEqual([2, 4, 6].map((value) => ({ status: 'ok', value })));
      await eventually(() => actors(beta) === betaBaseline, 5000, 'beta back to baseline');
      expect(actors(alpha)).toBe(0);

      const controller = new AbortController();
      const run = fanOut(alpha, { worker: { node: 'beta', logic: 'hang' }, items: [1, 2], signal: controller.signal, timeoutMs: 10_000 });
      await eventually(() => actors(beta) === betaBaseline + 2, 5000, 'two workers on beta');
      controller.abort();
      await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
      await eventually(() => actors(beta) === betaBaseline, 5000, 'beta back to baseline after abort');
      expect(actors(alpha)).toBe(0);
    });

    it("stops them there when the caller's actor exits", async () => {
      const hang = taskWorker(() => new Promise(() => {}));
      const beta = system({ node: 'beta', listen: { port: 0 }, secret: 's', logic: { hang } });
      await beta.ready;
      const alpha = system({ node: 'alpha', secret: 's' });
      await alpha.connect(`ws://127.0.0.1:${beta.listenAddress?.port}`);
      const betaBaseline = actors(beta);
      const caller = alpha.spawn(
        fromCallback(() => () => {}),
        { name: 'caller' },
      );
      const run = fanOut(alpha, { worker: { node: 'beta', logic: 'hang' }, items: [1, 2, 3], parent: caller, timeoutMs: 10_000 });
      await eventually(() => actors(beta) === betaBaseline + 3, 5000, 'three workers on beta');
      await alpha.stop(caller);
      await expect(run).rejects.toMatchObject({ code: 'TROUPE_ERR_CANCELLED' });
      await eventually(() => actors(beta) === betaBaseline, 5000, 'beta back to baseline after the caller exited');
      expect(actors(alpha)).toBe(0);
    });
  });
});
