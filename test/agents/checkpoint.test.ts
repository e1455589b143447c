import { describe, expect, it } from 'vitest';
import { checkCheckpoint, checkpointKey, loadRun, saveRun } from '../../src/agents/checkpoint.js';
import { finishedCall, newRunState, recordFinished } from '../../src/agents/run-state.js';
import { emptyUsage } from '../../src/patterns/worker-protocol.js';
import { memoryStore } from '../../src/store/memory.js';

describe('checkpoint', () => {
  it('saves a run and loads it back for the same task; another task starts fresh', async () => {
    const store = memoryStore();
    const key = checkpointKey('lead', 'r1');
    const state = newRunState('ship it');
    state.iterations = 2;
    state.scratchpad['search-1'] = 'full text';
    state.finished.c1 = {
      ok: true,
      content: 'done',
      usage: { inputTokens: 1, outputTokens: 1, calls: 1, byModel: { m: { inputTokens: 1, outputTokens: 1, calls: 1 } } },
    };
    await saveRun(store, key, state);
    expect(await loadRun(store, key, 'ship it')).toEqual(state);
    expect(await loadRun(store, key, 'something else')).toEqual(newRunState('something else'));
    expect(await loadRun(store, checkpointKey('lead', 'r2'), 'ship it')).toEqual(newRunState('ship it'));
  });
  it('keeps a finished call whose id is "__proto__" (ids come from the model) across a save and load', async () => {
    const store = memoryStore();
    const state = newRunState('t');
    const outcome = { ok: true, content: 'done', usage: emptyUsage() };
    recordFinished(state, '__proto__', outcome);
    await saveRun(store, 'k', state);
    const loaded = await loadRun(store, 'k', 't');
    expect(finishedCall(loaded, '__proto__')).toEqual(outcome);
    expect(Object.getPrototypeOf(loaded.finished)).toBe(Object.prototype);
  });
  it('refuses a stored value that is not a run', async () => {
    const store = memoryStore();
    await store.put('k', { hello: 'world' });
    await expect(loadRun(store, 'k', 't')).rejects.toMatchObject({ code: 'TROUPE_ERR_STORE_FAILED' });
  });
  it('checks its options', () => {
    expect(() => checkCheckpoint({ store: {} as never }, 'x')).toThrow(/Store/);
    expect(() => checkCheckpoint({ store: memoryStore(), runId: '' }, 'x')).toThrow(/runId/);
  });
});
