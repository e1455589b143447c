import { afterEach, describe, expect, it } from 'vitest';
import { fromCallback } from 'xstate';
import { TroupeError as StoreError } from '../../src/errors.js';
import { type ActorSystem, createSystem, type Fence, memoryStore, SimulatedClock, type Store, TroupeError } from '../../src/index.js';
import { type Singleton, singleton } from '../../src/patterns/singleton.js';

const LEASE = 300;

/** A store whose calls can be cut off (rejected) to play a partition between one node and the store. */
function partitionable(inner: Store): Store & { cut: boolean } {
  const wrapped = {
    cut: false,
    guard<T>(call: () => Promise<T>): Promise<T> {
      return wrapped.cut ? Promise.reject(new StoreError('TROUPE_ERR_STORE_FAILED', 'partitioned')) : call();
    },
    get: (k: string) => wrapped.guard(() => inner.get(k)),
    put: (k: string, v: never, o?: { fence?: Fence }) => wrapped.guard(() => inner.put(k, v, o)),
    delete: (k: string, o?: { fence?: Fence }) => wrapped.guard(() => inner.delete(k, o)),
    cas: (k: string, e: number | null, v: never, o?: { fence?: Fence }) => wrapped.guard(() => inner.cas(k, e, v, o)),
    list: (p: string) => wrapped.guard(() => inner.list(p)),
    acquireLease: (n: string, h: string, t: number) => wrapped.guard(() => inner.acquireLease(n, h, t)),
    renewLease: (n: string, h: string, tk: number, t: number) => wrapped.guard(() => inner.renewLease(n, h, tk, t)),
    releaseLease: (n: string, h: string, tk: number) => wrapped.guard(() => inner.releaseLease(n, h, tk)),
    close: () => inner.close(),
  };
  return wrapped as unknown as Store & { cut: boolean };
}

interface Span {
  node: string;
  token: number;
  from: number;
  to?: number;
}

let clock: SimulatedClock;
let systems: ActorSystem[] = [];
let handles: Singleton[] = [];
let spans: Span[] = [];

/** An actor that records when it runs (by the simulated clock) and with which token. */
function recordingLogic(node: string) {
  return fromCallback<{ type: 'ping' }, { fence: Fence }>(({ input }) => {
    const span: Span = { node, token: input.fence.token, from: clock.now() };
    spans.push(span);
    return () => {
      span.to = clock.now();
    };
  });
}

function candidate(node: string, store: Store, options: { retryMs?: number } = {}): Singleton {
  const system = createSystem({ node, clock });
  systems.push(system);
  const handle = singleton(system, {
    name: 'leader',
    logic: recordingLogic(node),
    store,
    leaseMs: LEASE,
    inputFor: (fence) => ({ fence }),
    ...options,
  });
  handles.push(handle);
  return handle;
}

/** Moves simulated time on in small steps, letting store promises settle between them. */
async function elapse(ms: number, step = 10): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
  }
}

function running(): Span[] {
  return spans.filter((s) => s.to === undefined);
}

/** No two spans overlap in simulated time. */
function expectNoOverlap(): void {
  const sorted = [...spans].sort((a, b) => a.from - b.from);
  for (let i = 1; i < sorted.length; i++)
    expect(sorted[i - 1]!.to, `span ${i - 1} still running when ${i} started`).toBeLessThanOrEqual(sorted[i]!.from);
}

afterEach(async () => {
  for (const h of handles) await h.stop();
  for (const s of systems) await s.shutdown();
  systems = [];
  handles = [];
  spans = [];
});

describe('singleton', () => {
  it('runs the actor on exactly one of several candidates', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const a = candidate('a', store);
    const b = candidate('b', store);
    const c = candidate('c', store);
    await elapse(2000);
    expect(running()).toHaveLength(1);
    expect([a, b, c].filter((h) => h.isLeader)).toHaveLength(1);
    expect(spans).toHaveLength(1);
  });

  it('hands over at once when the leader steps down, with a larger token', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const a = candidate('a', store);
    await elapse(50);
    const b = candidate('b', store);
    await elapse(500);
    expect(a.isLeader).toBe(true);
    const first = a.fence!.token;
    await a.stop();
    await elapse(LEASE / 3 + 20);
    expect(b.isLeader).toBe(true);
    expect(b.fence!.token).toBeGreaterThan(first);
    expect(running().map((s) => s.node)).toEqual(['b']);
    expectNoOverlap();
  });

  it('stops the actor before its lease can lapse when it cannot renew, and a successor starts only after the lapse', async () => {
    clock = new SimulatedClock();
    const shared = memoryStore({ clock });
    const cutOff = partitionable(shared);
    const a = candidate('a', cutOff);
    await elapse(50);
    candidate('b', shared);
    await elapse(500);
    expect(a.isLeader).toBe(true);
    const cutAt = clock.now();
    cutOff.cut = true;
    await elapse(LEASE * 3);
    const [old, successor] = spans;
    expect(old!.node).toBe('a');
    expect(old!.to).toBeLessThanOrEqual(cutAt + LEASE);
    expect(successor!.node).toBe('b');
    expect(successor!.token).toBeGreaterThan(old!.token);
    expectNoOverlap();
    // The cut-off node's fence is stale now: its writes would be refused.
    await expect(shared.put('k', 1, { fence: { lease: 'singleton/leader', token: old!.token } })).rejects.toMatchObject({
      code: 'TROUPE_ERR_FENCED',
    });
    // Healed: it stays a candidate and does not take the lease back.
    cutOff.cut = false;
    await elapse(LEASE * 2);
    expect(a.isLeader).toBe(false);
    expect(running().map((s) => s.node)).toEqual(['b']);
  });

  it('moves to another candidate within leaseMs plus one retry when the leader stops answering', async () => {
    clock = new SimulatedClock();
    const shared = memoryStore({ clock });
    const cutOff = partitionable(shared);
    const a = candidate('a', cutOff);
    await elapse(50);
    candidate('b', shared);
    await elapse(500);
    expect(a.isLeader).toBe(true);
    cutOff.cut = true;
    const cutAt = clock.now();
    await elapse(LEASE * 3);
    const successor = spans.find((s) => s.node === 'b')!;
    expect(successor.from - cutAt).toBeLessThanOrEqual(LEASE + LEASE / 3 + 20);
  });

  it('starts the actor again when it exits on its own while this node leads', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const system = createSystem({ node: 'solo', clock });
    systems.push(system);
    let starts = 0;
    const logic = fromCallback(() => {
      starts++;
    });
    const h = singleton(system, { name: 'svc', logic, store, leaseMs: LEASE });
    handles.push(h);
    await elapse(200);
    expect(starts).toBe(1);
    const ref = await h.ref();
    await system.stop(ref!);
    await elapse(LEASE);
    expect(starts).toBe(2);
    expect(system.lookup('svc')).toBeDefined();
  });

  it('gives ref(): the local actor on the leader, the recorded address elsewhere', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const a = candidate('a', store);
    expect(await a.ref()).toBeUndefined();
    await elapse(50);
    const b = candidate('b', store);
    await elapse(200);
    expect((await a.ref())?.address).toBe('troupe://a/leader');
    await expect(store.get('singleton/leader/holder')).resolves.toMatchObject({ value: { node: 'a', address: 'troupe://a/leader' } });
    expect(b.isLeader).toBe(false);
    expect((await b.ref())?.address).toBe('troupe://a/leader');
  });

  it('releases the lease and stops the actor on stop()', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const a = candidate('a', store);
    await elapse(200);
    await a.stop();
    expect(a.isLeader).toBe(false);
    expect(running()).toEqual([]);
    expect(await store.get('singleton/leader/holder')).toBeUndefined();
    expect(await store.acquireLease('singleton/leader', 'someone', 1000)).not.toBeNull();
  });

  it('hands back a lease granted while stop() ran, so a successor need not wait for it to lapse', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    let grant: () => void = () => {};
    const slow: Store = {
      get: (k) => store.get(k),
      put: (k, v, o) => store.put(k, v, o),
      delete: (k, o) => store.delete(k, o),
      cas: (k, e, v, o) => store.cas(k, e, v, o),
      list: (p) => store.list(p),
      renewLease: (n, h, t, ttl) => store.renewLease(n, h, t, ttl),
      releaseLease: (n, h, t) => store.releaseLease(n, h, t),
      close: () => store.close(),
      acquireLease: () => Promise.resolve(null),
    };
    slow.acquireLease = (name, holder, ttlMs) =>
      new Promise((resolve, reject) => {
        grant = () => store.acquireLease(name, holder, ttlMs).then(resolve, reject);
      });
    const a = candidate('a', slow);
    await elapse(20);
    await a.stop();
    grant(); // the grant arrives after stop() finished
    await elapse(20);
    expect(a.isLeader).toBe(false);
    expect(running()).toEqual([]);
    expect(await store.acquireLease('singleton/leader', 'someone', 1000)).not.toBeNull();
  });

  it('gives up ref() with TROUPE_ERR_TIMEOUT when the store does not answer', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const never = <T>(): Promise<T> => new Promise<T>(() => {});
    const hung: Store = {
      get: never,
      put: never,
      delete: never,
      cas: never,
      list: never,
      acquireLease: never,
      renewLease: never,
      releaseLease: never,
      close: () => store.close(),
    };
    const a = candidate('a', hung);
    const asked = a.ref().then(
      () => 'answered',
      (err: { code?: string }) => err.code,
    );
    await elapse(LEASE);
    expect(await asked).toBe('TROUPE_ERR_TIMEOUT');
  });

  it('steps down and releases the lease when its system shuts down, leaving no timer behind', async () => {
    clock = new SimulatedClock();
    const store = memoryStore({ clock });
    const a = candidate('a', store);
    await elapse(50);
    candidate('b', store);
    await elapse(200);
    expect(a.isLeader).toBe(true);
    await systems[0]!.shutdown();
    await elapse(LEASE / 3 + 20);
    expect(a.isLeader).toBe(false);
    expect(running().map((s) => s.node)).toEqual(['b']);
    // b took over within one retry, not after the lease's lapse
    expect(spans[1]!.from - spans[0]!.to!).toBeLessThanOrEqual(LEASE / 3 + 10);
  });

  it('refuses a second declaration of the same singleton on one node', () => {
    clock = new SimulatedClock();
    const system = createSystem({ node: 'x', clock });
    systems.push(system);
    const store = memoryStore({ clock });
    handles.push(singleton(system, { name: 'once', logic: fromCallback(() => {}), store, leaseMs: LEASE }));
    expect(() => singleton(system, { name: 'once', logic: fromCallback(() => {}), store, leaseMs: LEASE })).toThrow(
      expect.objectContaining({ code: 'TROUPE_ERR_NAME_TAKEN' }),
    );
  });

  it('refuses bad options at once', () => {
    clock = new SimulatedClock();
    const system = createSystem({ node: 'x', clock });
    systems.push(system);
    const store = memoryStore();
    const logic = fromCallback(() => {});
    expect(() => singleton(system, { name: 'n', logic, store, leaseMs: 0 })).toThrow(TroupeError);
    expect(() => singleton(system, { name: 'bad name!', logic, store, leaseMs: 300 })).toThrow(TroupeError);
    expect(() => singleton(system, { name: 'n', logic, store, leaseMs: 300, retryMs: 301 })).toThrow(TroupeError);
    expect(() => singleton(system, { name: 'n', logic, store: {} as Store, leaseMs: 300 })).toThrow(TroupeError);
    system.spawn(logic, { name: 'taken' });
    expect(() => singleton(system, { name: 'taken', logic, store, leaseMs: 300 })).toThrow(TroupeError);
  });
});
