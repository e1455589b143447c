import { describe, expect, it } from 'vitest';
import { QueueCheckpoints, type StoredTask } from '../../src/patterns/work-queue-store.js';
import { memoryStore } from '../../src/store/memory.js';
import type { Store } from '../../src/store/store.js';

const task = (id: string, seq: number, state: StoredTask['state'] = 'queued'): StoredTask => ({
  id,
  input: id,
  priority: 0,
  seq,
  attempts: 0,
  state,
});

describe('QueueCheckpoints', () => {
  it('writes the latest state of each task and loads them back in queue order', async () => {
    const store = memoryStore();
    const cp = new QueueCheckpoints(store, 'run', undefined, () => {});
    cp.save(task('b', 2));
    cp.save(task('a', 1));
    cp.save({ ...task('b', 2, 'done'), output: 42 });
    await cp.flush();
    const loaded = await new QueueCheckpoints(store, 'run', undefined, () => {}).load();
    expect(loaded.map((t) => [t.id, t.state])).toEqual([
      ['a', 'queued'],
      ['b', 'done'],
    ]);
    expect(loaded[1].output).toBe(42);
    expect(await new QueueCheckpoints(store, 'other', undefined, () => {}).load()).toEqual([]);
  });

  it('coalesces writes of one task that pile up while a write is in flight', async () => {
    const store = memoryStore();
    let puts = 0;
    const counting: Store = {
      ...store,
      get: store.get.bind(store),
      list: store.list.bind(store),
      put: (k, v, o) => {
        puts++;
        return store.put(k, v, o);
      },
    } as Store;
    const cp = new QueueCheckpoints(counting, 'run', undefined, () => {});
    for (let i = 0; i < 100; i++) cp.save({ ...task('x', 0), attempts: i });
    await cp.flush();
    expect(puts).toBeLessThanOrEqual(2);
    expect((await store.get('work-queue/run/x'))?.value).toMatchObject({ attempts: 99 });
  });

  it('reports a failed write, and refuses malformed records', async () => {
    const store = memoryStore();
    const errors: unknown[] = [];
    const failing = { ...store, put: () => Promise.reject(new Error('disk full')) } as unknown as Store;
    const cp = new QueueCheckpoints(failing, 'run', undefined, (e) => errors.push(e));
    cp.save(task('a', 0));
    await cp.flush();
    expect(errors[0]).toMatchObject({ code: 'TROUPE_ERR_STORE_FAILED' });
    await store.put('work-queue/bad/x', { id: 'x' });
    await expect(new QueueCheckpoints(store, 'bad', undefined, () => {}).load()).rejects.toMatchObject({ code: 'TROUPE_ERR_STORE_FAILED' });
  });
});
