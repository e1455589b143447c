import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { type ActorRef, type ActorSystem, createSystem, TroupeError } from '../../src/index.js';
import { addUsage, emptyUsage, readUsage, runTask, usageOf } from '../../src/patterns/worker-protocol.js';

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

describe('worker protocol', () => {
  describe('#addUsage', () => {
    it('sums totals and per-model figures into the first record', () => {
      const total = addUsage(addUsage(emptyUsage(), usageOf('cheap', 10, 2)), usageOf('strong', 100, 20));
      addUsage(total, usageOf('cheap', 1, 1));
      expect(total).toEqual({
        inputTokens: 111,
        outputTokens: 23,
        calls: 3,
        byModel: { cheap: { inputTokens: 11, outputTokens: 3, calls: 2 }, strong: { inputTokens: 100, outputTokens: 20, calls: 1 } },
      });
      expect(addUsage(total, undefined)).toBe(total);
    });

    it('keeps a model named "__proto__" as a plain entry, never as the prototype', () => {
      const total = addUsage(emptyUsage(), usageOf('__proto__', 5, 1));
      addUsage(total, usageOf('__proto__', 5, 1));
      expect(Object.getPrototypeOf(total.byModel)).toBe(Object.prototype);
      expect(Object.hasOwn(total.byModel, '__proto__')).toBe(true);
      expect(JSON.parse(JSON.stringify(total.byModel))).toEqual(JSON.parse('{"__proto__":{"inputTokens":10,"outputTokens":2,"calls":2}}'));
    });
  });

  describe('#readUsage', () => {
    it('reads a well-formed record, and nothing from undefined', () => {
      expect(readUsage(undefined)).toBeUndefined();
      expect(readUsage(usageOf('m', 3, 4))).toEqual(usageOf('m', 3, 4));
    });

    it('refuses malformed usage from a worker (untrusted) with TROUPE_ERR_INVALID_OUTPUT', () => {
      for (const bad of [
        null,
        { inputTokens: -1, outputTokens: 0, calls: 0, byModel: {} },
        { inputTokens: 1.5, outputTokens: 0, calls: 0, byModel: {} },
        { inputTokens: 1, outputTokens: 0, calls: 0, byModel: [] },
        { inputTokens: 1, outputTokens: 0, calls: 0, byModel: { m: { inputTokens: 'many' } } },
      ]) {
        expect(() => readUsage(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OUTPUT' }));
      }
    });

    it('copies a "__proto__" model as data', () => {
      const wire = JSON.parse(
        '{"inputTokens":1,"outputTokens":1,"calls":1,"byModel":{"__proto__":{"inputTokens":1,"outputTokens":1,"calls":1}}}',
      );
      const usage = readUsage(wire)!;
      expect(Object.getPrototypeOf(usage.byModel)).toBe(Object.prototype);
      expect(Object.hasOwn(usage.byModel, '__proto__')).toBe(true);
    });
  });

  describe('#runTask', () => {
    type TaskIn = { type: 'task'; input: { n?: number }; taskId: string; replyTo: ActorRef } | { type: 'cancel'; taskId: string };
    const machine = (answer: (e: Extract<TaskIn, { type: 'task' }>) => object | undefined, cancels: string[] = []) =>
      setup({ types: { events: {} as TaskIn } }).createMachine({
        on: {
          task: {
            actions: ({ event }) => {
              const reply = answer(event);
              if (reply !== undefined) event.replyTo.send(reply as { type: string });
            },
          },
          cancel: { actions: ({ event }) => void cancels.push(event.taskId) },
        },
      });

    it('resolves with the output, the usage and the task id', async () => {
      system = createSystem();
      const worker = system.spawn(
        machine((e) => ({ type: 'result', output: { doubled: (e.input.n ?? 0) * 2 }, usage: usageOf('m', 1, 2) })),
        { name: 'doubler' },
      );
      const r = await runTask<{ doubled: number }>(worker, { n: 21 }, { taskId: 't-1', timeoutMs: 5000 });
      expect(r).toEqual({ output: { doubled: 42 }, usage: usageOf('m', 1, 2), taskId: 't-1' });
    });

    it('rejects a reply that is not a result with TROUPE_ERR_INVALID_OUTPUT', async () => {
      system = createSystem();
      const liar = system.spawn(
        machine(() => ({ type: 'surprise' })),
        { name: 'liar' },
      );
      await expect(runTask(liar, {}, { timeoutMs: 5000 })).rejects.toThrow(/answered a task with 'surprise'/);
      await expect(runTask(liar, {}, { timeoutMs: 5000 })).rejects.toSatisfy((e) => TroupeError.is(e, 'TROUPE_ERR_INVALID_OUTPUT'));
    });

    it('tells the worker to cancel the task when the caller aborts', async () => {
      system = createSystem();
      const cancels: string[] = [];
      const silent = system.spawn(
        machine(() => undefined, cancels),
        { name: 'silent' },
      );
      const controller = new AbortController();
      const pending = runTask(silent, {}, { taskId: 'slow-1', signal: controller.signal, timeoutMs: 5000 });
      controller.abort();
      await expect(pending).rejects.toSatisfy((e) => TroupeError.is(e, 'TROUPE_ERR_ABORTED'));
      await expect.poll(() => cancels, { timeout: 5000 }).toEqual(['slow-1']);
    });
  });
});
