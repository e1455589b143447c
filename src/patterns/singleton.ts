/**
 * `singleton(system, { name, logic, store, leaseMs })`: one actor for a whole cluster. Every node
 * that declares the same singleton is a candidate; the one holding the store lease
 * `singleton/<name>` runs the actor (under the stable name `name`), renews every `leaseMs / 3`, and
 * stops it at once when it cannot renew — before the lease could lapse — so a successor never runs
 * alongside it. When the holder's node dies, its lease lapses and the next candidate to try takes
 * over: within `leaseMs` plus one retry interval. The actor gets its grant's fencing token (through
 * `inputFor`), so writes it makes after a pause or partition are refused once a successor holds it.
 * @module
 */

import { nanoid } from 'nanoid';
import { type AnyEventObject, fromCallback } from 'xstate';
import { validateName } from '../actors/address.js';
import type { SpawnableLogic } from '../actors/body.js';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import type { EventOf, InputOf } from '../actors/system-options.js';
import { createError, TroupeError } from '../errors.js';
import { type Lease, lease } from '../store/lease.js';
import type { Fence, Store } from '../store/store.js';
import type { TimerHandle } from '../util/clock.js';

/**
 * Options of {@link singleton}.
 *
 * @example
 * ```ts
 * const options: SingletonOptions<typeof schedulerMachine> = { name: 'scheduler', logic: schedulerMachine, store, leaseMs: 3000 };
 * ```
 */
export interface SingletonOptions<TLogic extends SpawnableLogic> {
  /** The singleton's name: the actor's name on whichever node runs it, and the lease's. */
  name: string;
  logic: TLogic;
  /** Shared by every candidate: `sqliteStore` on one machine, `postgresStore` across machines. */
  store: Store;
  /** Lease time to live, ms. A dead holder is replaced within about `leaseMs * 4 / 3`. */
  leaseMs: number;
  /** The actor's input (the same at every start). */
  input?: InputOf<TLogic>;
  /** The actor's input made from its grant's fence, at every start (instead of `input`). */
  inputFor?: (fence: Fence) => InputOf<TLogic>;
  /** How often a candidate tries to take the lease, ms (default `leaseMs / 3`). */
  retryMs?: number;
}

/**
 * What the store keeps about the current holder, under `singleton/<name>/holder`.
 *
 * @example
 * ```ts
 * const holder = (await store.get('singleton/scheduler/holder'))?.value; // { node, address, holder, token }
 * ```
 */
export interface SingletonHolder {
  node: string;
  address: string;
  holder: string;
  token: number;
}

/**
 * The handle {@link singleton} returns on each candidate node.
 *
 * @example
 * ```ts
 * const scheduler: Singleton = singleton(system, { name: 'scheduler', logic, store, leaseMs: 3000 });
 * if (scheduler.isLeader) console.log('running here with token', scheduler.fence?.token);
 * await scheduler.stop(); // on this node's way out: hands over at once
 * ```
 */
export interface Singleton<TEvent extends AnyEventObject = AnyEventObject> {
  readonly name: string;
  /** True while this node holds the lease and runs the actor. */
  readonly isLeader: boolean;
  /** This node's current fence (`{ lease, token }`) while it leads, else `undefined`. */
  readonly fence: Fence | undefined;
  /**
   * The current holder's actor: local while this node leads, remote otherwise (by the address the
   * holder recorded in the store). `undefined` before anyone took the lease. Right after a holder
   * dies, and until its successor takes over, this is the dead holder's address. Rejects with
   * `TROUPE_ERR_TIMEOUT` when the store does not answer within `leaseMs / 3`.
   */
  ref(): Promise<ActorRef<TEvent> | undefined>;
  /** Steps down for good on this node: stops the actor if it runs here and releases the lease. */
  stop(): Promise<void>;
}

type Phase = 'candidate' | 'leader' | 'stopped';

class SingletonRunner<TLogic extends SpawnableLogic> implements Singleton<EventOf<TLogic>> {
  readonly name: string;
  readonly #system: ActorSystem;
  readonly #options: SingletonOptions<TLogic>;
  readonly #lease: Lease;
  readonly #holderKey: string;
  readonly #renewMs: number;
  readonly #retryMs: number;
  #phase: Phase = 'candidate';
  #actor: ActorRef | undefined;
  #tick: TimerHandle | undefined;
  #guard: TimerHandle | undefined;
  readonly #sentinel: ActorRef;

  constructor(system: ActorSystem, options: SingletonOptions<TLogic>) {
    this.#system = system;
    this.#options = options;
    this.name = options.name;
    this.#lease = lease(options.store, `singleton/${options.name}`, { holder: `${system.node}/${nanoid(10)}`, ttlMs: options.leaseMs });
    this.#holderKey = `singleton/${options.name}/holder`;
    this.#renewMs = Math.max(1, Math.floor(options.leaseMs / 3));
    this.#retryMs = options.retryMs ?? this.#renewMs;
    // Ends with the system: its cleanup steps down and releases the lease, so a shutdown hands
    // over at once and leaves no timers behind. Spawning it also refuses a second declaration.
    this.#sentinel = system.spawn(
      fromCallback(() => () => {
        void this.stop();
      }),
      { name: `${options.name}.singleton` },
    );
    this.#schedule(0);
  }

  get isLeader(): boolean {
    return this.#phase === 'leader';
  }

  get fence(): Fence | undefined {
    return this.#phase === 'leader' ? this.#lease.fence : undefined;
  }

  async ref(): Promise<ActorRef<EventOf<TLogic>> | undefined> {
    if (this.#phase === 'leader' && this.#actor !== undefined) return this.#actor as ActorRef<EventOf<TLogic>>;
    const record = await this.#bounded(this.#options.store.get<SingletonHolder & Record<string, string | number>>(this.#holderKey));
    if (record === undefined) return undefined;
    return this.#system.ref<EventOf<TLogic>>(record.value.address);
  }

  async stop(): Promise<void> {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    this.#clearTimers();
    await this.#stopActor('shutdown');
    await this.#system.stop(this.#sentinel).catch(() => {});
    const fence = this.#lease.fence;
    if (fence === undefined) return;
    try {
      await this.#bounded(this.#options.store.delete(this.#holderKey, { fence }));
      await this.#bounded(this.#lease.release());
    } catch {
      // The store is away or a successor already took over: the lease lapses on its own.
    }
  }

  #schedule(ms: number): void {
    if (this.#phase === 'stopped') return;
    this.#tick = this.#system.clock.setTimeout(() => void this.#step(), ms);
  }

  /** One tick; only one timer is ever pending, so ticks never overlap. */
  async #step(): Promise<void> {
    if (this.#phase === 'stopped') return;
    if (this.#system.isShutdown) return this.stop();
    try {
      if (this.#phase === 'candidate') await this.#tryLead();
      else await this.#renew();
    } finally {
      this.#schedule(this.#phase === 'leader' ? this.#renewMs : this.#retryMs);
    }
  }

  async #tryLead(): Promise<void> {
    const sentAt = this.#system.clock.now();
    let grant: { token: number } | null;
    try {
      grant = await this.#bounded(this.#lease.acquire());
    } catch {
      return; // the store is unreachable: try again at the next tick
    }
    if (grant === null) return;
    if (this.#phase !== 'candidate') {
      // stop() ran while the grant was on its way: hand the lease back rather than let it lapse.
      await this.#bounded(this.#lease.release()).catch(() => {});
      return;
    }
    this.#phase = 'leader';
    this.#armGuard(sentAt);
    const fence = this.#lease.fence!;
    try {
      this.#startActor(fence);
    } catch {
      // This node cannot run it (system stopped, name taken): leave the lease to another candidate.
      await this.#stepDown('stop');
      return;
    }
    const record: SingletonHolder = {
      node: this.#system.node,
      address: this.#actor!.address,
      holder: this.#lease.holder,
      token: grant.token,
    };
    try {
      await this.#bounded(this.#options.store.put(this.#holderKey, { ...record }, { fence }));
    } catch (err) {
      // Fenced: a successor holds the lease already. Store down: renewals and the guard decide.
      if (TroupeError.is(err, 'TROUPE_ERR_FENCED')) return this.#stepDown('lost');
    }
    this.#emit('start', `leader with token ${grant.token}`);
  }

  async #renew(): Promise<void> {
    const sentAt = this.#system.clock.now();
    let ok: boolean;
    try {
      ok = await this.#bounded(this.#lease.renew());
    } catch {
      return; // keep the actor until the guard says the lease may lapse
    }
    if (this.#phase !== 'leader') return;
    if (!ok) return this.#stepDown('lost');
    this.#armGuard(sentAt);
    await this.#keepActorAlive();
  }

  /**
   * The lease lasts at least `leaseMs` from the moment the last successful renewal was sent; stop
   * the actor a little earlier (a sixth of the lease) if no renewal succeeds by then.
   */
  #armGuard(sentAt: number): void {
    if (this.#guard !== undefined) this.#system.clock.clearTimeout(this.#guard);
    const lapseIn = sentAt + this.#options.leaseMs - this.#system.clock.now();
    const margin = Math.floor(this.#options.leaseMs / 6);
    this.#guard = this.#system.clock.setTimeout(() => void this.#stepDown('lost'), Math.max(0, lapseIn - margin));
  }

  async #stepDown(why: 'lost' | 'stop'): Promise<void> {
    if (this.#phase !== 'leader') return;
    this.#phase = 'candidate';
    if (this.#guard !== undefined) this.#system.clock.clearTimeout(this.#guard);
    this.#guard = undefined;
    await this.#stopActor('killed');
    this.#emit('cancelled', 'lease lost: actor stopped');
    if (why === 'stop') await this.stop();
  }

  #startActor(fence: Fence): void {
    const { logic, inputFor, input } = this.#options;
    const actorInput = inputFor !== undefined ? inputFor({ ...fence }) : input;
    this.#actor = this.#system.spawn(logic, { name: this.name, input: actorInput });
  }

  /**
   * At every renewal: the actor is a permanent service, so if it exited on its own (crashed,
   * finished) start it again; if this node can no longer start it (its system stopped), step down.
   */
  async #keepActorAlive(): Promise<void> {
    const actor = this.#actor;
    if (actor !== undefined && this.#system.lookup(actor.address) !== undefined) return;
    const fence = this.#lease.fence;
    if (fence === undefined) return;
    try {
      this.#startActor(fence);
    } catch {
      await this.#stepDown('stop');
    }
  }

  async #stopActor(reason: 'killed' | 'shutdown'): Promise<void> {
    const actor = this.#actor;
    this.#actor = undefined;
    if (actor === undefined) return;
    try {
      await this.#system.stop(actor, reason);
    } catch {
      // Already gone.
    }
  }

  /** A store call that gives up after one renewal interval, so a hung store cannot stall the loop. */
  #bounded<T>(call: Promise<T>): Promise<T> {
    const clock = this.#system.clock;
    let timer: TimerHandle;
    const timeout = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(
        () => reject(createError('TROUPE_ERR_TIMEOUT', `singleton ${this.name}: the store did not answer in time`)),
        this.#renewMs,
      );
    });
    return Promise.race([call, timeout]).finally(() => clock.clearTimeout(timer));
  }

  #clearTimers(): void {
    if (this.#tick !== undefined) this.#system.clock.clearTimeout(this.#tick);
    if (this.#guard !== undefined) this.#system.clock.clearTimeout(this.#guard);
    this.#tick = undefined;
    this.#guard = undefined;
  }

  #emit(step: 'start' | 'cancelled', detail: string): void {
    const inspection = this.#system.inspection;
    if (inspection.active)
      inspection.emit({ type: '@troupe.pattern', node: this.#system.node, pattern: 'singleton', run: this.name, step, detail });
  }
}

/**
 * Declares a cluster singleton on this node: this node becomes a candidate to run `logic` as the
 * actor `name`; exactly one candidate at a time runs it. Call it with the same `name` and `store`
 * on every node that may host it.
 *
 * @example
 * ```ts
 * const store = sqliteStore({ path: '/var/lib/app/troupe.db' });
 * const scheduler = singleton(system, {
 *   name: 'scheduler',
 *   logic: schedulerMachine,
 *   store,
 *   leaseMs: 3000,
 *   inputFor: (fence) => ({ store, fence }), // the actor fences its writes with it
 * });
 * (await scheduler.ref())?.send({ type: 'tick' });
 * ```
 */
export function singleton<TLogic extends SpawnableLogic>(
  system: ActorSystem,
  options: SingletonOptions<TLogic>,
): Singleton<EventOf<TLogic>> {
  if (typeof options !== 'object' || options === null) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'singleton needs { name, logic, store, leaseMs }');
  }
  const { leaseMs, retryMs, store, inputFor, input } = options;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 30) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `singleton leaseMs must be a whole number >= 30, got ${String(leaseMs)}`);
  }
  if (retryMs !== undefined && (!Number.isSafeInteger(retryMs) || retryMs <= 0 || retryMs > leaseMs)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', `singleton retryMs must be a whole number in 1..leaseMs, got ${String(retryMs)}`);
  }
  if (typeof store !== 'object' || store === null || typeof store.acquireLease !== 'function') {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'singleton needs a store (memoryStore, sqliteStore, postgresStore)');
  }
  if (inputFor !== undefined && input !== undefined) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'singleton takes input or inputFor, not both');
  }
  validateName(options.name);
  if (system.lookup(options.name) !== undefined) {
    throw createError('TROUPE_ERR_NAME_TAKEN', `an actor named ${options.name} already runs on ${system.node}`);
  }
  return new SingletonRunner(system, options);
}
