import type { AnyActor, AnyEventObject } from 'xstate';
import { startAsk, withReplyTo } from './ask.js';
import type { Cell, CellHost } from './cell.js';
import type { ExitReason } from './exit-reason.js';
import { type AskOptions, BaseRef, type DownEvent } from './ref.js';

/** A ref to an actor on this node: sends go straight to its cell. @internal */
export class LocalRef extends BaseRef {
  readonly #cell: Cell;

  constructor(cell: Cell) {
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
  get _cell(): Cell {
    return this.#cell;
  }

  /** @internal */
  override get _streamHost(): CellHost {
    return this.#cell.host;
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

  protected override _xstate(): AnyActor {
    const actor = this.#cell.xstate;
    return actor ?? super._xstate();
  }
}
