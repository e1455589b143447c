import type { AnyActor, AnyEventObject, Snapshot } from 'xstate';
import type { Dispatcher, Runnable } from '../mailbox/dispatcher.js';
import { Mailbox } from '../mailbox/mailbox.js';
import type { Clock } from '../util/clock.js';
import { describeReason, type ExitReason, isCrash } from '../util/exit-reason.js';
import { formatAddress } from './address.js';
import { codeForDeadLetter, isEvent, type Temporary, type TempRef } from './ask.js';
import {
  type Body,
  type CellSettings,
  type ChildCell,
  type ChildPolicy,
  isNativeLogic,
  kNativeLogic,
  type NativeContext,
  type SpawnableLogic,
} from './body.js';
import { type DeadLetterReason, deadLetterReasonFor } from './dead-letters.js';
import { HeldAsks } from './held-asks.js';
import type { InspectionBus } from './inspection.js';
import { LocalRef } from './local-ref.js';
import type { BaseRef, DownEvent, StreamHost } from './ref.js';
import { validateThroughput } from './validate.js';
import { addWatcher, downAtOnce, notifyWatchers, type WatcherMap } from './watchers.js';
import { XStateBody } from './xstate-body.js';

/** Control messages, drained before user messages. @internal */
export type SystemMessage =
  | { kind: 'stop'; reason: ExitReason }
  | { kind: 'down'; event: DownEvent }
  | { kind: 'suspend' }
  | { kind: 'resume' };

/**
 * - `running`: the body processes messages.
 * - `exited`: the body ended (finished, crashed or was stopped from outside); the cell waits for its
 *   supervisor to restart or finalize it. User messages queue meanwhile, up to capacity.
 * - `stopped`: final; messages become dead letters.
 */
export type CellStatus = 'running' | 'exited' | 'stopped';

/** What a cell needs from its system. @internal */
export interface CellHost extends StreamHost {
  readonly node: string;
  readonly clock: Clock;
  readonly dispatcher: Dispatcher;
  readonly inspection: InspectionBus;
  readonly askTimeoutMs: number;
  _deadLetter(recipient: string, event: unknown, reason: DeadLetterReason, sender?: string): void;
  _registerTemp(temp: Temporary, kind?: string): string;
  _unregisterTemp(temp: Temporary): void;
  /** A cell was finalized. */
  _cellStopped(cell: Cell): void;
  /** A crash that no supervisor handles. */
  _unhandledExit(cell: Cell, reason: ExitReason): void;
  /**
   * Creates, registers and starts a child of `parent` on behalf of a supervising body. Throws when
   * the system is shut down, the parent has stopped or the name is taken; a crash during start is
   * reported to the parent's policy like any crash.
   */
  _spawnChild(parent: Cell, name: string, logic: SpawnableLogic, settings: CellSettings): Cell;
}

/**
 * Wraps one actor: owns its mailbox, its body (an XState actor), its children and watchers, and
 * its lifecycle. The cell outlives restarts; only the body is replaced.
 * @internal
 */
export class Cell implements Runnable, NativeContext, ChildCell {
  readonly host: CellHost;
  readonly parent: Cell | undefined;
  readonly name: string;
  #address: string | undefined;
  readonly ref: LocalRef;
  readonly logic: SpawnableLogic;
  readonly input: unknown;
  readonly mailbox: Mailbox<AnyEventObject, SystemMessage>;
  readonly #throughput: number;
  status: CellStatus = 'running';
  processed = 0;
  dropped = 0;
  restarts = 0;
  /** Children in start order. */
  children: Map<string, Cell> | undefined;
  /** Set by a supervising body. */
  policy: ChildPolicy | undefined;
  #body: Body | undefined;
  #scheduled = false;
  /** Who watches this actor, by address: one notice per watcher however it was named. */
  #watchers: WatcherMap | undefined;
  /** What this actor watches, by address, so its watches go when it does. */
  #watching: Map<string, BaseRef> | undefined;
  #suspendedByUser = false;
  /** Asks held until they settle; created on the first ask, as most actors are never asked. */
  #asks: HeldAsks | undefined;
  #current: AnyEventObject | undefined;
  #stopWaiters: (() => void)[] | undefined;
  #lastSnapshot: unknown;
  #heldDowns: SystemMessage[] | undefined;
  /** The snapshot the last body ended with, when it ended by itself (finished or crashed). */
  #finalSnapshot: Snapshot<unknown> | undefined;
  /** Left the tree: the name is free and the system's count is down. */
  #left = false;

  constructor(host: CellHost, parent: Cell | undefined, name: string, logic: SpawnableLogic, settings: CellSettings) {
    this.host = host;
    this.parent = parent;
    this.name = name;
    this.logic = logic;
    this.input = settings.input;
    this.mailbox = new Mailbox(settings.mailbox);
    this.#throughput = validateThroughput(settings.throughput ?? host.dispatcher.throughput);
    this.ref = new LocalRef(this);
  }

  /** Names from the root, joined by `/`. Computed on demand: idle actors never pay for it. */
  get path(): string {
    return this.parent === undefined ? this.name : `${this.parent.path}/${this.name}`;
  }

  /** `troupe://<node>/<path>`, built on first use and kept. */
  get address(): string {
    if (this.#address === undefined) this.#address = formatAddress(this.host.node, this.path);
    return this.#address;
  }

  /** The current body's XState actor, when it has one. */
  get xstate(): AnyActor | undefined {
    return this.#body?.xstate;
  }

  /** The snapshot the last body ended with, when it finished or crashed by itself (not when it was stopped). */
  get finalSnapshot(): Snapshot<unknown> | undefined {
    return this.#finalSnapshot;
  }

  /** Creates and starts a fresh body. A crash during start is reported like any other. */
  start(): void {
    const body = isNativeLogic(this.logic) ? this.logic[kNativeLogic](this, this.input) : new XStateBody(this, this.logic, this.input);
    this.#body = body;
    this.#finalSnapshot = undefined;
    this.status = 'running';
    if (this.host.inspection.active) {
      this.host.inspection.emit({
        type: '@troupe.actor',
        node: this.host.node,
        address: this.address,
        status: this.restarts === 0 ? 'spawned' : 'restarted',
        parent: this.parent?.address,
      });
    }
    body.start();
  }

  // ---- messages ----

  /** Queues a user message. Never throws. */
  tell(event: AnyEventObject, sender?: string): void {
    if (this.status === 'stopped') {
      this.host._deadLetter(this.address, event, 'stopped', sender);
      return;
    }
    if (!isEvent(event)) {
      this.host._deadLetter(this.address, event, 'invalid-event', sender);
      return;
    }
    const admission = this.mailbox.enqueue(event);
    if (admission !== 'accepted') this.#overflowed(admission, event);
    // After the enqueue: an observer that sends from here must queue behind this message.
    const inspection = this.host.inspection;
    if (inspection.active && admission !== 'dropped-newest' && admission !== 'rejected') {
      inspection.emit({ type: '@troupe.message', node: this.host.node, to: this.address, from: sender, eventType: event.type, event });
    }
    if (!this.#scheduled && this.mailbox.runnable) this.#schedule();
  }

  /** Queues an asked event and holds its ask until it settles. */
  tellAsk(event: AnyEventObject, temp: TempRef): void {
    if (this.status !== 'stopped') {
      if (this.#asks === undefined) this.#asks = new HeldAsks();
      this.#asks.hold(temp);
    }
    this.tell(event);
  }

  tellSystem(message: SystemMessage): void {
    if (this.status === 'stopped') {
      if (message.kind === 'down') this.host._deadLetter(this.address, message.event, 'stopped');
      return;
    }
    this.mailbox.enqueueSystem(message);
    if (!this.#scheduled) this.#schedule();
  }

  #schedule(): void {
    this.#scheduled = true;
    this.host.dispatcher.schedule(this);
  }

  #overflowed(admission: 'dropped-newest' | 'dropped-oldest' | 'rejected', event: AnyEventObject): void {
    this.dropped++;
    const mailbox = this.mailbox;
    const inspection = this.host.inspection;
    if (inspection.active) {
      inspection.emit({
        type: '@troupe.overflow',
        node: this.host.node,
        address: this.address,
        policy: mailbox.overflow,
        capacity: mailbox.capacity,
        eventType: event.type,
      });
    }
    if (admission === 'dropped-oldest') {
      const evicted = mailbox.evicted;
      mailbox.evicted = undefined;
      this.host._deadLetter(this.address, evicted, 'dropped-oldest');
    } else {
      this.host._deadLetter(this.address, event, 'mailbox-full');
    }
  }

  run(budget: number): boolean {
    let more = false;
    try {
      more = this.#drain(budget);
      return more;
    } finally {
      // Even if a turn throws (the dispatcher then drops it), the next message schedules this cell again.
      this.#scheduled = more;
    }
  }

  #drain(budget: number): boolean {
    const mailbox = this.mailbox;
    const limit = Math.min(budget, this.#throughput);
    let n = 0;
    for (;;) {
      try {
        for (;;) {
          if (mailbox.systemSize > 0) {
            this.#handleSystem(mailbox.shiftSystem() as SystemMessage);
            continue;
          }
          if (n >= limit || this.status !== 'running') break;
          const event = mailbox.shift();
          if (event === undefined) break;
          n++;
          this.#current = event;
          (this.#body as Body).deliver(event);
          this.#current = undefined;
        }
        break;
      } catch (error) {
        // XState catches what its logic throws; a native body or a hook may not. Whatever escapes
        // is this actor's crash, never the dispatcher's: one bad actor must not stall the others.
        this.#current = undefined;
        if (this.status === 'running') this.#crash(error);
      }
    }
    this.processed += n;
    return this.status !== 'stopped' && mailbox.runnable;
  }

  /**
   * Ends this actor after something threw outside XState's care. If ending it throws too (a body's
   * stop, a policy), it is finalized regardless: the dispatcher must never see an exception.
   */
  #crash(error: unknown): void {
    try {
      this.exit({ error });
    } catch (second) {
      this.status = 'exited';
      this.#body = undefined;
      try {
        this.finalize({ error: new AggregateError([error, second], `${this.address} failed and could not be stopped cleanly`) });
      } catch {
        this.status = 'stopped';
        this.#leaveTree();
      }
    }
  }

  #handleSystem(message: SystemMessage): void {
    switch (message.kind) {
      case 'stop':
        if (this.status === 'running') this.exit(message.reason);
        break;
      case 'down':
        this.#watching?.delete(message.event.address);
        if (this.status === 'running') {
          this.processed++;
          this.#body?.deliver(message.event);
        } else if (this.status === 'exited') {
          // Watches outlive restarts (the cell does), so the next body must hear of this exit.
          if (this.#heldDowns === undefined) this.#heldDowns = [];
          this.#heldDowns.push(message);
        } else {
          this.host._deadLetter(this.address, message.event, 'stopped');
        }
        break;
      case 'suspend':
        this.#suspendedByUser = true;
        this.mailbox.suspended = true;
        break;
      case 'resume':
        this.#suspendedByUser = false;
        if (this.status === 'running') this.mailbox.suspended = false;
        break;
    }
  }

  /** Reports a snapshot to inspection. */
  onSnapshot(snapshot: Snapshot<unknown>): void {
    const inspection = this.host.inspection;
    if (!inspection.active || snapshot === this.#lastSnapshot) return;
    this.#lastSnapshot = snapshot;
    const s = snapshot as Snapshot<unknown> & { value?: unknown; context?: unknown };
    inspection.emit({
      type: '@troupe.state',
      node: this.host.node,
      address: this.address,
      value: 'value' in s ? s.value : s.context,
      status: s.status,
    });
  }

  // ---- lifecycle ----

  /**
   * The body ended (finished, crashed, or stopped from outside). Descendants stop with it; then the
   * parent's policy decides between restart and finalize.
   */
  exit(reason: ExitReason): void {
    if (this.status !== 'running') return;
    this.status = 'exited';
    this.mailbox.suspended = true;
    const current = this.#current;
    this.#current = undefined;
    if (reason === 'normal' || isCrash(reason)) this.#finalSnapshot = this.#body?.xstate?.getSnapshot();
    this.#terminateChildren();
    this.#stopBody();
    this.#failHandedAsks(reason, current);
    const waiters = this.#stopWaiters;
    this.#stopWaiters = undefined;
    const policy = this.parent?.policy;
    if (policy !== undefined) {
      policy.childExited(this, reason);
    } else {
      if (isCrash(reason)) this.host._unhandledExit(this, reason);
      this.finalize(reason);
    }
    if (waiters) for (const w of waiters) w();
  }

  /** Fails the held asks whose events the ended body had taken; the ones still queued wait for the next body. */
  #failHandedAsks(reason: ExitReason, current: AnyEventObject | undefined): void {
    const asks = this.#asks;
    if (asks === undefined || asks.size === 0) return;
    const queued = new Set<unknown>();
    this.mailbox.forEach((event) => {
      const replyTo = (event as { replyTo?: unknown }).replyTo;
      if (replyTo !== undefined) queued.add(replyTo);
    });
    asks.failHanded(this.address, reason, current, queued);
  }

  /** Replaces the ended body with a fresh one from the same logic and input; queued messages survive. */
  restart(): void {
    if (this.status !== 'exited') return;
    this.restarts++;
    this.mailbox.suspended = this.#suspendedByUser;
    const held = this.#heldDowns;
    this.#heldDowns = undefined;
    if (held !== undefined) for (const m of held) this.mailbox.enqueueSystem(m);
    this.start();
    if (!this.#scheduled && this.mailbox.runnable) this.#schedule();
  }

  /** Stops this cell and its descendants at once, without consulting the parent (it is the one asking). */
  terminate(reason: ExitReason): void {
    if (this.status === 'stopped') return;
    if (this.status === 'running') {
      this.status = 'exited';
      this.#terminateChildren();
      this.#stopBody();
    }
    this.finalize(reason);
  }

  /** Final: fails what waits on this actor, notifies watchers, leaves the tree. */
  finalize(reason: ExitReason): void {
    if (this.status === 'stopped') return;
    if (this.status === 'running') {
      this.terminate(reason);
      return;
    }
    this.status = 'stopped';
    this.#body = undefined;
    try {
      // No actor outlives its parent: exit() already stopped the children; anything left is stopped here.
      if (this.children !== undefined && this.children.size > 0) this.#terminateChildren();
      this.#release(reason);
    } finally {
      this.#leaveTree();
    }
    this.#notifyStopped(reason);
  }

  /** Frees the name among the siblings and counts this cell out of the system, once, whatever threw before. */
  #leaveTree(): void {
    if (this.#left) return;
    this.#left = true;
    if (this.parent !== undefined && this.parent.children?.get(this.name) === this) this.parent.children.delete(this.name);
    this.host._cellStopped(this);
  }

  /** What a stopped cell leaves behind: queued messages and held notices become dead letters, held asks fail. */
  #release(reason: ExitReason): void {
    const host = this.host;
    const held = this.#heldDowns;
    this.#heldDowns = undefined;
    const letterReason = deadLetterReasonFor(reason);
    for (const event of this.mailbox.clear()) host._deadLetter(this.address, event, letterReason);
    for (let m = this.mailbox.shiftSystem(); m !== undefined; m = this.mailbox.shiftSystem()) {
      if (m.kind === 'down') host._deadLetter(this.address, m.event, letterReason);
    }
    if (held !== undefined) for (const m of held) if (m.kind === 'down') host._deadLetter(this.address, m.event, letterReason);
    const asks = this.#asks;
    this.#asks = undefined;
    asks?.failAll(codeForDeadLetter(letterReason), `${this.address} exited (${describeReason(reason)}) before replying`);
  }

  /** Tells inspection, the actors this one watched, its watchers and whoever awaits its exit. */
  #notifyStopped(reason: ExitReason): void {
    const host = this.host;
    if (host.inspection.active) {
      host.inspection.emit({
        type: '@troupe.actor',
        node: host.node,
        address: this.address,
        status: 'stopped',
        parent: this.parent?.address,
        reason,
      });
    }
    if (this.#watching !== undefined) {
      const watching = this.#watching;
      this.#watching = undefined;
      for (const target of watching.values()) target._unwatch(this.ref);
    }
    notifyWatchers(this.#watchers, this.address, reason);
    this.#watchers = undefined;
    const waiters = this.#stopWaiters;
    this.#stopWaiters = undefined;
    if (waiters) for (const w of waiters) w();
  }

  /** Resolves when the current body ends (or at once if already ended). */
  whenExited(): Promise<void> {
    if (this.status !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      if (this.#stopWaiters === undefined) this.#stopWaiters = [];
      this.#stopWaiters.push(resolve);
    });
  }

  watch(watcher: BaseRef): void {
    // A watcher that has already stopped would never unwatch: its notice could only be a dead letter.
    if (!watcher._alive) return;
    if (this.status === 'stopped') downAtOnce(watcher, this.address);
    else this.#watchers = addWatcher(this.#watchers, watcher);
  }

  unwatch(watcher: BaseRef): void {
    this.#watchers?.delete(watcher.address);
  }

  /** Records that this actor watches `target`, so that its exit cancels the watch. */
  noteWatching(target: BaseRef): void {
    if (this.status === 'stopped') return;
    if (this.#watching === undefined) this.#watching = new Map();
    this.#watching.set(target.address, target);
  }

  noteUnwatching(target: BaseRef): void {
    this.#watching?.delete(target.address);
  }

  // ---- NativeContext: what a native body (supervisor, fromStream) may do with its cell ----

  supervise(policy: ChildPolicy): void {
    this.policy = policy;
  }

  spawnChild(name: string, logic: SpawnableLogic, settings: CellSettings): Cell {
    return this.host._spawnChild(this, name, logic, settings);
  }

  childCells(): Cell[] {
    return this.children === undefined ? [] : [...this.children.values()];
  }

  unhandledExit(child: ChildCell, reason: ExitReason): void {
    if (child instanceof Cell) this.host._unhandledExit(child, reason);
  }

  addChild(child: Cell): void {
    if (this.children === undefined) this.children = new Map();
    this.children.set(child.name, child);
  }

  #terminateChildren(): void {
    if (this.policy !== undefined) {
      this.policy.terminateChildren();
      return;
    }
    const children = this.children;
    if (children === undefined || children.size === 0) return;
    const order = [...children.values()].reverse();
    for (const child of order) child.terminate('shutdown');
  }

  #stopBody(): void {
    const body = this.#body;
    this.#body = undefined;
    body?.stop();
  }
}
