import { customAlphabet } from 'nanoid';
import type { AnyEventObject } from 'xstate';
import { createError, type ErrorCode, TroupeError } from '../errors.js';
import { createDispatcher, createSyncDispatcher, type Dispatcher } from '../mailbox/dispatcher.js';
import { Mailbox, type MailboxOptions } from '../mailbox/mailbox.js';
import { type Clock, realClock } from '../util/clock.js';
import { describeReason, type ExitReason, isCrash } from '../util/exit-reason.js';
import { randomId } from '../util/random-id.js';
import { ALPHANUMERIC, formatAddress, isTemporaryPath, parseAddress, pathOf, SCHEME, validateName, validateNodeId } from './address.js';
import { codeForDeadLetter, isEvent, type Temporary } from './ask.js';
import { type CellSettings, isSpawnableLogic, type SpawnableLogic } from './body.js';
import { Cell, type CellHost } from './cell.js';
import { type DeadLetterReason, DeadLetters } from './dead-letters.js';
import { InspectionBus, type InspectionObserver } from './inspection.js';
import { LocalRef } from './local-ref.js';
import { PathRef } from './path-ref.js';
import { type ActorRef, BaseRef, type StreamOptions } from './ref.js';
import type {
  ActorStats,
  EventOf,
  InputOf,
  PeerInfo,
  RemoteProvider,
  RemoteSpawnOptions,
  SpawnOptions,
  StreamOpener,
  SystemOptions,
  SystemStats,
  UnhandledExit,
} from './system-options.js';
import { checkSystemOptions, logUnhandledExit } from './system-options.js';
import { actorStats, treeStats } from './system-stats.js';
import { Temporaries } from './temporaries.js';
import { validateThroughput, validateTimeout } from './validate.js';

const newId = customAlphabet(ALPHANUMERIC, 12);

/**
 * A set of actor trees on one node: spawns, addresses, stops and observes actors.
 * Create one with {@link createSystem}.
 */
export class ActorSystem implements CellHost {
  readonly node: string;
  readonly clock: Clock;
  readonly dispatcher: Dispatcher;
  readonly askTimeoutMs: number;
  /** Undeliverable messages. */
  readonly deadLetters = new DeadLetters();
  /**
   * The inspection bus. Observe it with {@link ActorSystem.inspect}; layers above the actors
   * (agents, patterns) publish their own `@troupe.*` events on it, building an event only while
   * someone observes.
   *
   * @example
   * ```ts
   * if (system.inspection.active) system.inspection.emit({ type: '@troupe.pattern', node: system.node, pattern: 'vote', id, phase: 'start' });
   * ```
   */
  readonly inspection = new InspectionBus();
  /** Resolves once the system is ready to serve (listening, when it listens). */
  ready: Promise<void> = Promise.resolve();
  readonly #top = new Map<string, Cell>();
  readonly #temps: Temporaries;
  readonly #defaultMailbox: MailboxOptions | undefined;
  #live = 0;
  #unhandledExits = 0;
  #shutdown: Promise<void> | undefined;
  #remote: RemoteProvider | undefined;
  #streams: StreamOpener | undefined;
  readonly #onUnhandledExit: (exit: UnhandledExit) => void;

  constructor(options: SystemOptions = {}) {
    checkSystemOptions(options);
    this.node = options.node === undefined ? newId() : validateNodeId(options.node);
    this.#temps = new Temporaries(this.node);
    this.clock = options.clock ?? realClock;
    const throughput = validateThroughput(options.throughput ?? 100);
    this.dispatcher =
      options.dispatcher === 'sync' ? createSyncDispatcher(throughput) : (options.dispatcher ?? createDispatcher({ throughput }));
    this.askTimeoutMs = validateTimeout('askTimeoutMs', options.askTimeoutMs ?? 5000);
    if (options.mailbox !== undefined) new Mailbox(options.mailbox); // throws INVALID_OPTION at once, not at every spawn
    this.#defaultMailbox = options.mailbox;
    const onUnhandledExit = options.onUnhandledExit ?? logUnhandledExit;
    if (typeof onUnhandledExit !== 'function') {
      throw createError('TROUPE_ERR_INVALID_OPTION', 'onUnhandledExit must be a function');
    }
    this.#onUnhandledExit = onUnhandledExit;
  }

  /**
   * Starts an actor running `logic` and returns its ref. Throws at once on a bad name, a taken
   * name, bad mailbox options, a stopped parent or a stopped system. A crash during start is not
   * thrown: the actor exits with `{ error }` like any crash.
   *
   * @example
   * ```ts
   * const counter = system.spawn(counterMachine, { name: 'counter', input: { start: 0 } });
   * ```
   */
  spawn<TLogic extends SpawnableLogic>(logic: TLogic, options: SpawnOptions<InputOf<TLogic>> = {}): ActorRef<EventOf<TLogic>> {
    if (!isSpawnableLogic(logic))
      throw createError('TROUPE_ERR_INVALID_OPTION', 'spawn needs XState actor logic (a machine, fromPromise, fromCallback, …)');
    let parent: Cell | undefined;
    if (options.parent !== undefined) {
      const p = options.parent;
      const target = p instanceof LocalRef ? p._cell : undefined;
      if (!(target instanceof Cell) || target.host !== this) {
        throw createError(
          'TROUPE_ERR_NOT_LOCAL',
          `parent ${String(p?.address)} is not an actor of this system; use spawnOn for remote parents`,
        );
      }
      parent = target;
    }
    const name = options.name === undefined ? randomId(12) : validateName(options.name);
    const cell = this.#startCell(parent, name, logic, { input: options.input, mailbox: options.mailbox, throughput: options.throughput });
    return cell.ref as unknown as ActorRef<EventOf<TLogic>>;
  }

  /**
   * Finds a live local actor by top-level name, path (`app/lead`) or address.
   *
   * @example
   * ```ts
   * system.lookup('app/lead')?.send({ type: 'ping' });
   * ```
   */
  lookup(nameOrAddress: string): ActorRef | undefined {
    let path = nameOrAddress;
    if (nameOrAddress.startsWith(SCHEME)) {
      const parsed = parseAddress(nameOrAddress);
      if (parsed.node !== this.node) return undefined;
      path = parsed.path;
    }
    const cell = this._resolvePath(path);
    return cell === undefined || cell.status === 'stopped' ? undefined : cell.ref;
  }

  /**
   * A ref to any address: a local one is resolved at each send; a remote one goes through the
   * transport (throws `TROUPE_ERR_NODE_DOWN` when no transport is configured).
   *
   * @example
   * ```ts
   * system.ref('troupe://beta/workers/w1').send({ type: 'task' });
   * ```
   */
  ref<TEvent extends AnyEventObject = AnyEventObject>(address: string): ActorRef<TEvent> {
    const parsed = parseAddress(address);
    if (parsed.node === this.node) {
      const temp = this.#temps.get(parsed.path);
      if (temp !== undefined) return temp as ActorRef as ActorRef<TEvent>;
      return new PathRef(this, address, parsed.path) as ActorRef as ActorRef<TEvent>;
    }
    if (this.#remote === undefined) {
      throw createError('TROUPE_ERR_NODE_DOWN', `no transport to reach node ${parsed.node}; give createSystem a listen or connect option`);
    }
    return this.#remote.ref(address, parsed) as ActorRef as ActorRef<TEvent>;
  }

  /**
   * Stops an actor: its body ends with `reason` (default `'shutdown'`) at its next turn, ahead of
   * queued messages, which become dead letters; its descendants stop first. `'killed'` stops it at
   * once. A supervised actor's supervisor then applies its restart type. Resolves once the body has
   * ended.
   *
   * @example
   * ```ts
   * await system.stop(worker);
   * ```
   */
  stop(ref: ActorRef, reason: ExitReason = 'shutdown'): Promise<void> {
    return asBase(ref)._stop(reason);
  }

  /**
   * `watcher` receives `{ type: 'troupe.down', address, reason }` once, when `target` exits for
   * good (restarts are not exits) — at once, with reason `'noproc'`, if it is already gone.
   *
   * @example
   * ```ts
   * system.watch(monitor, worker);
   * ```
   */
  watch(watcher: ActorRef, target: ActorRef): void {
    const w = asBase(watcher);
    const t = asBase(target);
    t._watch(w);
    this.#localCell(w)?.noteWatching(t);
  }

  /** Cancels {@link ActorSystem.watch}. */
  unwatch(watcher: ActorRef, target: ActorRef): void {
    const w = asBase(watcher);
    const t = asBase(target);
    t._unwatch(w);
    this.#localCell(w)?.noteUnwatching(t);
  }

  /**
   * Holds a local actor's user messages (they queue, up to its mailbox capacity) until
   * {@link ActorSystem.resume}; system messages (stop, down notices) are still handled. Like
   * Erlang's `sys:suspend`. A suspended actor stays suspended across supervised restarts.
   *
   * @example
   * ```ts
   * system.suspend(worker);   // e.g. while its dependency reconnects
   * system.resume(worker);
   * ```
   */
  suspend(ref: ActorRef): void {
    this.#requireLocal(ref, 'suspend').tellSystem({ kind: 'suspend' });
  }

  /** Lets a suspended actor handle its queued user messages again. */
  resume(ref: ActorRef): void {
    this.#requireLocal(ref, 'resume').tellSystem({ kind: 'resume' });
  }

  #localCell(ref: BaseRef): Cell | undefined {
    if (ref instanceof LocalRef) {
      const cell = ref._cell;
      return cell instanceof Cell && cell.host === this ? cell : undefined;
    }
    if (ref instanceof PathRef) {
      const path = pathOf(ref.address, this.node);
      return path === undefined ? undefined : this._resolvePath(path);
    }
    return undefined;
  }

  #requireLocal(ref: ActorRef, what: string): Cell {
    const cell = this.#localCell(asBase(ref));
    if (cell === undefined) throw createError('TROUPE_ERR_NOT_LOCAL', `${what} needs a local actor, got ${String(ref?.address)}`);
    if (cell.status === 'stopped') throw createError('TROUPE_ERR_NO_ACTOR', `${what}: ${cell.address} has stopped`);
    return cell;
  }

  /**
   * Observes the inspection stream: `@troupe.actor`, `@troupe.message`, `@troupe.state`,
   * `@troupe.overflow`, `@troupe.deadletter`, `@troupe.supervisor`, `@troupe.node`.
   *
   * @example
   * ```ts
   * const sub = system.inspect((e) => console.log(e.type));
   * sub.unsubscribe();
   * ```
   */
  inspect(observer: InspectionObserver): { unsubscribe(): void } {
    return this.inspection.subscribe(observer);
  }

  /** Counters of one actor. */
  stats(ref: ActorRef): ActorStats | undefined;
  /** Counters of the system and every live actor. */
  stats(): SystemStats;
  stats(ref?: ActorRef): ActorStats | SystemStats | undefined {
    if (ref !== undefined) {
      const cell = ref instanceof BaseRef ? this.#localCell(ref) : undefined;
      return cell === undefined ? undefined : actorStats(cell);
    }
    return {
      node: this.node,
      actors: this.#live,
      pendingAsks: this.#temps.count('ask'),
      temporaries: this.#temps.count(),
      deadLetters: this.deadLetters.count,
      unhandledExits: this.#unhandledExits,
      mailboxes: treeStats(this.#top.values()),
    };
  }

  /**
   * Stops every actor tree, children before parents and siblings in reverse start order, then
   * closes the transport. Idempotent.
   *
   * @example
   * ```ts
   * await system.shutdown();
   * ```
   */
  shutdown(): Promise<void> {
    if (this.#shutdown === undefined) this.#shutdown = this.#doShutdown();
    return this.#shutdown;
  }

  async #doShutdown(): Promise<void> {
    // Waiters first, so that they learn why: the system is going, not just the actor they wait on.
    this.#temps.failAll('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} shut down`);
    for (const cell of [...this.#top.values()].reverse()) cell.terminate('shutdown');
    await this.#remote?.close();
  }

  /**
   * Connects to the node listening at `url` (`ws://host:port` or `wss://…`) and resolves with its
   * node id once both sides have authenticated. The link is re-dialed with backoff if it drops.
   *
   * @example
   * ```ts
   * const peer = await system.connect('ws://127.0.0.1:7400'); // 'alpha'
   * ```
   */
  connect(url: string): Promise<string> {
    const remote = this.#usableRemote('connect');
    return remote instanceof TroupeError ? Promise.reject(remote) : remote.connect(url);
  }

  /**
   * Starts the logic registered as `logicName` in `node`'s `logic` allowlist and resolves with a
   * ref to it. Rejects with `TROUPE_ERR_NOT_ALLOWED` for names outside the allowlist.
   *
   * @example
   * ```ts
   * const sum = await system.spawnOn('alpha', 'summarizer', { name: 'sum-1', parent: lead });
   * ```
   */
  spawnOn<TEvent extends AnyEventObject = AnyEventObject>(
    node: string,
    logicName: string,
    options: RemoteSpawnOptions = {},
  ): Promise<ActorRef<TEvent>> {
    const remote = this.#usableRemote('spawnOn');
    if (remote instanceof TroupeError) return Promise.reject(remote);
    return remote.spawnOn(node, logicName, options) as Promise<ActorRef> as Promise<ActorRef<TEvent>>;
  }

  /**
   * Where this node listens (`{ host, port }`), once `ready`; undefined when it does not listen.
   *
   * @example
   * ```ts
   * const alpha = createSystem({ node: 'alpha', listen: { port: 0 } });
   * await alpha.ready;
   * console.log(`ws://127.0.0.1:${alpha.listenAddress?.port}`);
   * ```
   */
  get listenAddress(): { host: string; port: number } | undefined {
    return this.#remote?.listenAddress;
  }
  /**
   * The nodes this node has linked with (or dials), and the state of each link: `up`,
   * `connecting` (re-dialing a URL it connected to), or `down`. Empty without a transport.
   *
   * @example
   * ```ts
   * await beta.connect('ws://127.0.0.1:7400');
   * beta.peers(); // [{ node: 'alpha', status: 'up', url: 'ws://127.0.0.1:7400' }]
   * ```
   */
  peers(): PeerInfo[] {
    return this.#remote?.peers() ?? [];
  }

  #usableRemote(what: string): RemoteProvider | TroupeError {
    if (this.#shutdown !== undefined) return createError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shut down`);
    if (this.#remote === undefined) {
      return createError('TROUPE_ERR_NODE_DOWN', `${what} needs the transport: create the system with createSystem from 'troupe'`);
    }
    return this.#remote;
  }

  /** True once {@link ActorSystem.shutdown} was called. */
  get isShutdown(): boolean {
    return this.#shutdown !== undefined;
  }

  // ---- internal ----

  /** @internal */
  _installRemote(provider: RemoteProvider): void {
    this.#remote = provider;
  }

  /** @internal */
  _resolvePath(path: string): Cell | undefined {
    let slash = path.indexOf('/');
    if (slash < 0) return this.#top.get(path);
    let cell = this.#top.get(path.slice(0, slash));
    while (cell !== undefined) {
      const start = slash + 1;
      slash = path.indexOf('/', start);
      const name = slash < 0 ? path.slice(start) : path.slice(start, slash);
      cell = cell.children?.get(name);
      if (slash < 0) return cell;
    }
    return undefined;
  }

  /** @internal */
  _temp(path: string): Temporary | undefined {
    return this.#temps.get(path);
  }

  /**
   * Delivers an event that arrived for a local path: a temporary (reply, stream) or a cell; a dead
   * letter when nothing is there.
   * @internal
   */
  _deliverLocal(path: string, event: AnyEventObject, sender?: string): void {
    if (!isEvent(event)) {
      this._deadLetter(formatAddress(this.node, path), event, 'invalid-event', sender);
      return;
    }
    const temp = isTemporaryPath(path) ? this.#temps.get(path) : undefined;
    if (temp !== undefined) {
      temp.send(event);
      return;
    }
    const cell = this._resolvePath(path);
    if (cell !== undefined) cell.tell(event, sender);
    else this._deadLetter(formatAddress(this.node, path), event, 'no-actor', sender);
  }

  /** Fails every temporary waiting on an actor of `node` (its link went down). @internal */
  _failTempsTo(node: string, code: ErrorCode, message: string): void {
    this.#temps.failWaitingOn(node, code, message);
  }

  /** @internal */
  _deadLetter(recipient: string, event: unknown, reason: DeadLetterReason, sender?: string): void {
    const fields = typeof event === 'object' && event !== null ? (event as { replyTo?: unknown; stream?: unknown }) : undefined;
    // an undeliverable ask or stream request fails the temporary waiting on it at once
    const replyTo = fields?.replyTo ?? fields?.stream;
    if (replyTo instanceof BaseRef && this.#temps.holds(replyTo)) {
      (replyTo as Temporary).fail(codeForDeadLetter(reason), `message to ${recipient} was not delivered: ${reason}`);
    }
    const letter = sender === undefined ? { recipient, event, reason } : { recipient, event, reason, sender };
    this.deadLetters.publish(letter);
    if (this.inspection.active) this.inspection.emit({ type: '@troupe.deadletter', node: this.node, ...letter });
  }

  /**
   * Opens a stream whose consumer lives in this system, through the opener `createSystem` installs
   * (streams sit above the actor core, so the core only holds this hook).
   * @internal
   */
  _openStream<TChunk>(target: BaseRef, event: unknown, options: StreamOptions | undefined): AsyncIterableIterator<TChunk> {
    if (this.#streams === undefined) {
      throw createError(
        'TROUPE_ERR_INVALID_OPTION',
        `stream needs the streams layer: create the system with createSystem from 'troupe', not new ActorSystem()`,
      );
    }
    return this.#streams<TChunk>(this, target, event, options);
  }

  /** Plugs the streams layer in: `ref.stream()` on this system's refs opens through `opener`. @internal */
  _installStreams(opener: StreamOpener): void {
    this.#streams = opener;
  }

  /** @internal */
  _registerTemp(temp: Temporary, kind = 'ask'): string {
    return this.#temps.register(temp, kind);
  }

  /** @internal */
  _unregisterTemp(temp: Temporary): void {
    this.#temps.unregister(temp);
  }

  /** @internal */
  _cellStopped(cell: Cell): void {
    this.#live--;
    if (cell.parent === undefined && this.#top.get(cell.name) === cell) this.#top.delete(cell.name);
  }

  /** @internal */
  _unhandledExit(cell: Cell, reason: ExitReason): void {
    this.#unhandledExits++;
    this._deadLetter(
      formatAddress(this.node, '$root'),
      { type: 'troupe.exit', address: cell.address, reason, detail: describeReason(reason) },
      'escalated',
      cell.address,
    );
    if (!isCrash(reason)) return;
    try {
      this.#onUnhandledExit({ node: this.node, address: cell.address, error: reason.error });
    } catch {
      // the hook's own failure must not stop the crashed actor from being cleaned up
    }
  }

  /** @internal */
  _spawnChild(parent: Cell, name: string, logic: SpawnableLogic, settings: CellSettings): Cell {
    return this.#startCell(parent, name, logic, settings);
  }

  /**
   * The one way a cell comes to life: the system must be up, the parent running and the name free
   * among its siblings; then the cell joins the tree and its body starts.
   */
  #startCell(parent: Cell | undefined, name: string, logic: SpawnableLogic, settings: CellSettings): Cell {
    if (this.#shutdown !== undefined) throw createError('TROUPE_ERR_SYSTEM_STOPPED', `system ${this.node} is shut down`);
    if (parent !== undefined && parent.status !== 'running') {
      throw createError(
        'TROUPE_ERR_ACTOR_STOPPED',
        `parent ${parent.address} is not running (${parent.status === 'stopped' ? 'stopped' : 'exited, waiting for its supervisor'})`,
      );
    }
    const siblings = parent === undefined ? this.#top : parent.children;
    if (siblings?.has(name)) {
      throw createError(
        'TROUPE_ERR_NAME_TAKEN',
        `an actor named ${name} already exists under ${parent?.address ?? formatAddress(this.node, '')}`,
      );
    }
    const cell = new Cell(this, parent, name, logic, { ...settings, mailbox: settings.mailbox ?? this.#defaultMailbox });
    if (parent === undefined) this.#top.set(name, cell);
    else parent.addChild(cell);
    this.#live++;
    cell.start();
    return cell;
  }
}

function asBase(ref: ActorRef): BaseRef {
  if (!(ref instanceof BaseRef)) throw createError('TROUPE_ERR_INVALID_OPTION', `not a troupe ref: ${String(ref)}`);
  return ref;
}
