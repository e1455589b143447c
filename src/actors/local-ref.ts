import type { AnyActor, AnyEventObject, Snapshot } from 'xstate';
import { createError } from '../errors.js';
import type { ExitReason } from '../util/exit-reason.js';
import { type AskHost, startAsk, type TempRef, withReplyTo } from './ask.js';
import { type AskOptions, BaseRef, type DownEvent, type StreamHost } from './ref.js';

/**
 * What a local ref drives: the cell of its actor, seen through the members a ref needs. Declared
 * here, not taken from `cell.ts`, so that the cell can create its ref without an import cycle.
 * @internal
 */
export interface LocalTarget {
  readonly host: AskHost & StreamHost;
  readonly address: string;
  readonly name: string;
  readonly status: 'running' | 'exited' | 'stopped';
  readonly logic: unknown;
  /** The running body's XState actor, when it has one. */
  readonly xstate: AnyActor | undefined;
  /** The snapshot the last body ended with, when it finished or crashed by itself. */
  readonly finalSnapshot: Snapshot<unknown> | undefined;
  tell(event: AnyEventObject): void;
  tellAsk(event: AnyEventObject, temp: TempRef): void;
  tellSystem(message: { kind: 'down'; event: DownEvent } | { kind: 'stop'; reason: ExitReason }): void;
  watch(watcher: BaseRef): void;
  unwatch(watcher: BaseRef): void;
  whenExited(): Promise<void>;
  exit(reason: ExitReason): void;
}

/** A ref to an actor on this node: sends go straight to its cell. @internal */
export class LocalRef extends BaseRef {
  readonly #cell: LocalTarget;

  constructor(cell: LocalTarget) {
    super();
    this.#cell = cell;
  }

  get address(): string {
    return this.#cell.address;
  }

  override get name(): string {
    return this.#cell.name;
  }

  /** @internal */
  get _cell(): LocalTarget {
    return this.#cell;
  }

  /** @internal */
  override get _streamHost(): StreamHost {
    return this.#cell.host;
  }

  /** @internal */
  override get _alive(): boolean {
    return this.#cell.status !== 'stopped';
  }

  send(event: AnyEventObject): void {
    this.#cell.tell(event);
  }

  ask<TReply = AnyEventObject>(event: AnyEventObject, options?: AskOptions): Promise<TReply> {
    const cell = this.#cell;
    if (cell.status === 'stopped') {
      return startAsk<TReply>(cell.host, cell.address, event, options, (_e, temp) =>
        temp.fail('TROUPE_ERR_NO_ACTOR', `${cell.address} is not running`),
      );
    }
    return startAsk<TReply>(cell.host, cell.address, event, options, (e, temp) => cell.tellAsk(withReplyTo(e, temp), temp));
  }

  _down(event: DownEvent): void {
    this.#cell.tellSystem({ kind: 'down', event });
  }

  _watch(watcher: BaseRef): void {
    this.#cell.watch(watcher);
  }

  _unwatch(watcher: BaseRef): void {
    this.#cell.unwatch(watcher);
  }

  _stop(reason: ExitReason): Promise<void> {
    const cell = this.#cell;
    if (cell.status !== 'running') return Promise.resolve();
    const exited = cell.whenExited();
    if (reason === 'killed') cell.exit('killed');
    else cell.tellSystem({ kind: 'stop', reason });
    return exited;
  }

  /**
   * The running actor's snapshot; after it finished (or crashed) by itself, the snapshot it ended
   * with, so a `fromPromise`'s `output` stays readable. Throws `TROUPE_ERR_ACTOR_STOPPED` once it
   * was stopped from outside.
   */
  override getSnapshot(): Snapshot<unknown> {
    const cell = this.#cell;
    const actor = cell.xstate;
    if (actor !== undefined) return actor.getSnapshot();
    const final = cell.finalSnapshot;
    if (final !== undefined) return final;
    if (cell.status !== 'running') throw createError('TROUPE_ERR_ACTOR_STOPPED', `${cell.address} has stopped; it has no snapshot`);
    return super.getSnapshot();
  }

  protected override _xstate(): AnyActor {
    const actor = this.#cell.xstate;
    return actor ?? super._xstate();
  }
}
