import { Actor, type AnyActorRef, type AnyEventObject, type InspectionEvent, type Observer, toObserver } from 'xstate';
import type { Clock, TimerHandle } from '../util/clock.js';

/** An XState actor as this system sees it: the internals it reads. */
interface HostedActor {
  readonly sessionId: string;
  readonly _parent?: HostedActor;
  _send(event: AnyEventObject): void;
}

/** One delayed event, as XState's scheduler describes it. */
interface ScheduledEvent {
  source: HostedActor;
  target: HostedActor;
  event: AnyEventObject;
  delay: number;
  id: string;
  startedAt: number;
  timer: TimerHandle;
}

/** What happens to events a hosted root actor sends its parent (`sendParent`, a callback's `sendBack`). */
export type ParentSend = (source: AnyActorRef, event: AnyEventObject) => void;

/**
 * Delayed events, indexed by the actor that scheduled them, so stopping an actor cancels its own
 * delays without scanning everyone's (XState's scheduler scans every pending delay of its system).
 */
class Scheduler {
  readonly #system: SharedXStateSystem;
  readonly #clock: Clock;
  readonly #bySource = new Map<HostedActor, Map<string, ScheduledEvent>>();

  constructor(system: SharedXStateSystem, clock: Clock) {
    this.#system = system;
    this.#clock = clock;
  }

  schedule(source: HostedActor, target: HostedActor, event: AnyEventObject, delay: number, id = Math.random().toString(36).slice(2)): void {
    let own = this.#bySource.get(source);
    if (own === undefined) {
      own = new Map();
      this.#bySource.set(source, own);
    }
    const previous = own.get(id);
    if (previous !== undefined) this.#clock.clearTimeout(previous.timer);
    const timer = this.#clock.setTimeout(() => {
      this.#forget(source, id);
      this.#system._relay(source as unknown as AnyActorRef, target as unknown as AnyActorRef, event);
    }, delay);
    own.set(id, { source, target, event, delay, id, startedAt: Date.now(), timer });
  }

  cancel(source: HostedActor, id: string): void {
    const scheduled = this.#bySource.get(source)?.get(id);
    if (scheduled === undefined) return;
    this.#clock.clearTimeout(scheduled.timer);
    this.#forget(source, id);
  }

  cancelAll(source: HostedActor): void {
    const own = this.#bySource.get(source);
    if (own === undefined) return;
    this.#bySource.delete(source);
    for (const scheduled of own.values()) this.#clock.clearTimeout(scheduled.timer);
  }

  /** Every pending delay, keyed as XState keys them (`<sessionId>.<id>`). */
  pending(): Record<string, Omit<ScheduledEvent, 'timer'>> {
    const out: Record<string, Omit<ScheduledEvent, 'timer'>> = {};
    for (const own of this.#bySource.values()) {
      for (const { timer: _, ...scheduled } of own.values()) out[`${scheduled.source.sessionId}.${scheduled.id}`] = scheduled;
    }
    return out;
  }

  #forget(source: HostedActor, id: string): void {
    const own = this.#bySource.get(source);
    if (own === undefined) return;
    own.delete(id);
    if (own.size === 0) this.#bySource.delete(source);
  }
}

/**
 * One XState system for every XState actor a troupe system hosts. XState builds a system (an
 * object, ~20 closures, maps and a scheduler: ~1.6 KB) for every root actor, and each cell's actor
 * was one. Hosted actors are created with {@link SharedXStateSystem.parent} as their parent, so
 * XState takes this system from it instead; the parent is a stand-in, never a running actor.
 *
 * What a per-actor system gave each cell, this one keeps per cell: `systemId`s are scoped to the
 * hosted root actor (the cell's) whose tree registered them, and `system.get` answers from the tree
 * of the actor being run; stopping an actor cancels only its own delays.
 * @internal
 */
export class SharedXStateSystem {
  /** The stand-in parent of every hosted root actor. @internal */
  readonly parent: {
    readonly system: SharedXStateSystem;
    readonly id: string;
    readonly sessionId: string;
    _send(event: AnyEventObject): void;
  };
  readonly scheduler: Scheduler;
  readonly _clock: Clock;
  readonly _logger: (...args: unknown[]) => void = console.log.bind(console);
  #ids = 0;
  /** systemId → actor, per hosted root actor. */
  readonly #keyed = new WeakMap<HostedActor, Map<string, AnyActorRef>>();
  readonly #keyOf = new WeakMap<HostedActor, { root: HostedActor; systemId: string }>();
  #observers: Set<Observer<InspectionEvent>> | undefined;
  #current: HostedActor | undefined;
  readonly #onParentSend: ParentSend;

  constructor(clock: Clock, onParentSend: ParentSend) {
    this._clock = clock;
    this.scheduler = new Scheduler(this, clock);
    this.#onParentSend = onParentSend;
    this.parent = {
      system: this,
      id: 'troupe',
      sessionId: 'troupe',
      _send() {
        // only reached through `_relay`, which handles sends to the stand-in itself
      },
    };
  }

  /** Marks `root` (a hosted root actor) as the one being run, for `get`. @internal */
  enter(root: AnyActorRef): void {
    this.#current = root as unknown as HostedActor;
  }

  _bookId(): string {
    return `x:${this.#ids++}`;
  }

  _register(sessionId: string, _actor: AnyActorRef): string {
    return sessionId;
  }

  _unregister(actor: AnyActorRef): void {
    const key = this.#keyOf.get(actor as unknown as HostedActor);
    if (key === undefined) return;
    this.#keyOf.delete(actor as unknown as HostedActor);
    const map = this.#keyed.get(key.root);
    if (map?.get(key.systemId) === actor) map.delete(key.systemId);
  }

  _set(systemId: string, actor: AnyActorRef): void {
    const root = this.#rootOf(actor as unknown as HostedActor);
    let map = this.#keyed.get(root);
    if (map === undefined) {
      map = new Map();
      this.#keyed.set(root, map);
    }
    const existing = map.get(systemId);
    if (existing !== undefined && existing !== actor) throw new Error(`Actor with system ID '${systemId}' already exists.`);
    map.set(systemId, actor);
    this.#keyOf.set(actor as unknown as HostedActor, { root, systemId });
  }

  get(systemId: string): AnyActorRef | undefined {
    return this.#current === undefined ? undefined : this.#keyed.get(this.#current)?.get(systemId);
  }

  getAll(): Record<string, AnyActorRef> {
    const map = this.#current === undefined ? undefined : this.#keyed.get(this.#current);
    return map === undefined ? {} : Object.fromEntries(map);
  }

  inspect(observerOrFn: Observer<InspectionEvent> | ((event: InspectionEvent) => void)): { unsubscribe(): void } {
    const observer = toObserver(observerOrFn);
    if (this.#observers === undefined) this.#observers = new Set();
    const observers = this.#observers;
    observers.add(observer);
    return { unsubscribe: () => observers.delete(observer) };
  }

  _sendInspectionEvent(event: InspectionEvent): void {
    if (this.#observers === undefined || this.#observers.size === 0) return;
    const root =
      (event as { actorRef?: unknown }).actorRef === undefined
        ? undefined
        : this.#rootOf((event as { actorRef: unknown }).actorRef as HostedActor);
    const resolved = { ...event, rootId: root?.sessionId ?? 'troupe' };
    for (const observer of this.#observers) observer.next?.(resolved as InspectionEvent);
  }

  _relay(source: AnyActorRef | undefined, target: AnyActorRef, event: AnyEventObject): void {
    this._sendInspectionEvent({ type: '@xstate.event', sourceRef: source, actorRef: target, event } as unknown as InspectionEvent);
    if (target === (this.parent as unknown)) {
      if (source !== undefined) this.#onParentSend(source, event);
      return;
    }
    if (target instanceof Actor && target.system === (this as unknown)) this.#current = this.#rootOf(target as unknown as HostedActor);
    (target as unknown as HostedActor)._send(event);
  }

  getSnapshot(): { _scheduledEvents: Record<string, unknown> } {
    return { _scheduledEvents: this.scheduler.pending() };
  }

  /** XState starts the system of a root actor; hosted actors are never roots. */
  start(): void {}

  #rootOf(actor: HostedActor): HostedActor {
    let a = actor;
    while (a._parent !== undefined && a._parent !== (this.parent as unknown)) a = a._parent;
    return a;
  }
}
