import type { AnyEventObject } from 'xstate';
import type { Temporary } from '../actors/ask.js';
import { BaseRef, type DownEvent } from '../actors/ref.js';
import type { TransportHost } from '../actors/transport-host.js';
import { createError } from '../errors.js';
import type { TimerHandle } from '../util/clock.js';
import type { ExitReason } from '../util/exit-reason.js';

/** What a guard needs from its node. */
export interface OrphanGuardHost {
  readonly host: TransportHost;
  readonly orphanGraceMs: number;
  /** The guard is done (its child is gone). */
  _guardDone(guard: OrphanGuard): void;
}

/**
 * Keeps an actor spawned here for a parent on another node from outliving that parent: it watches
 * the parent across the link and the child locally. The child stops (`'shutdown'`) when the parent
 * exits, and (`'noconnection'`) when the link to the parent's node stays down past `orphanGraceMs`;
 * if the link comes back in time, the guard watches the parent again (and a parent that exited
 * meanwhile answers `'noproc'`, which stops the child too).
 * @internal
 */
export class OrphanGuard extends BaseRef implements Temporary {
  readonly address: string;
  /** The parent's address. */
  readonly target: string;
  /** The parent's node. */
  readonly node: string;
  readonly #child: BaseRef;
  readonly #host: OrphanGuardHost;
  #grace: TimerHandle | undefined;
  #done = false;

  constructor(host: OrphanGuardHost, parent: string, node: string, child: BaseRef) {
    super();
    this.#host = host;
    this.target = parent;
    this.node = node;
    this.#child = child;
    this.address = host.host.registerTemporary(this, 'orphan-guard');
  }

  /** The child this guard may stop. */
  get child(): string {
    return this.#child.address;
  }

  /** True while the link to the parent's node is down and the grace period runs. */
  get inGrace(): boolean {
    return this.#grace !== undefined;
  }

  /** Starts watching the child here and the parent on its node. */
  arm(): void {
    this.#child._watch(this);
    if (!this.#done) this.#parent()._watch(this);
  }

  #parent(): BaseRef {
    return this.#host.host.ref(this.target);
  }

  /** The link to the parent's node is back: end the grace period and watch the parent again. */
  linkUp(): void {
    if (this.#done || this.#grace === undefined) return;
    this.#host.host.clock.clearTimeout(this.#grace);
    this.#grace = undefined;
    this.#parent()._watch(this);
  }

  _down(event: DownEvent): void {
    if (this.#done) return;
    if (event.address === this.#child.address) {
      this.#finish();
      return;
    }
    if (event.address !== this.target) return;
    if (event.reason === 'noconnection') this.#startGrace();
    else this.#stopChild('shutdown');
  }

  /** Called when the parent's node goes down (its link failed) or the system shuts down. */
  fail(code: string): void {
    if (code === 'TROUPE_ERR_NODE_DOWN') this.#startGrace();
    else this.#finish();
  }

  #startGrace(): void {
    if (this.#done || this.#grace !== undefined) return;
    this.#grace = this.#host.host.clock.setTimeout(() => {
      this.#grace = undefined;
      this.#stopChild('noconnection');
    }, this.#host.orphanGraceMs);
  }

  #stopChild(reason: ExitReason): void {
    const child = this.#child;
    this.#finish();
    this.#host.host.stop(child, reason).catch(() => {});
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    const host = this.#host.host;
    if (this.#grace !== undefined) host.clock.clearTimeout(this.#grace);
    this.#grace = undefined;
    host.unregisterTemporary(this);
    this.#child._unwatch(this);
    this.#parent()._unwatch(this);
    this.#host._guardDone(this);
  }

  send(event: AnyEventObject): void {
    this.#host.host.deadLetter(this.address, event, 'no-actor');
  }

  ask<TReply>(): Promise<TReply> {
    return Promise.reject(createError('TROUPE_ERR_INVALID_EVENT', `${this.address} is an orphan guard; it cannot be asked`));
  }

  _watch(watcher: BaseRef): void {
    watcher._down({ type: 'troupe.down', address: this.address, reason: this.#done ? 'normal' : 'noproc' });
  }

  _unwatch(): void {}

  _stop(): Promise<void> {
    this.#finish();
    return Promise.resolve();
  }
}
