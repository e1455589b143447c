import type { AnyEventObject } from 'xstate';
import type { ExitReason } from '../util/exit-reason.js';
import { startAsk } from './ask.js';
import type { Cell } from './cell.js';
import { type AskOptions, BaseRef, type DownEvent, type StreamHost } from './ref.js';

/** How a path ref finds its cell and reaches its system. @internal */
export interface PathResolver extends StreamHost {
  _resolvePath(path: string): Cell | undefined;
  _deadLetter(recipient: string, event: unknown, reason: 'no-actor'): void;
}

/**
 * A ref to a local address that is looked up at each use, like Akka's ActorSelection: it reaches
 * whichever actor holds the address at the time, and sends to an empty address are dead letters.
 * @internal
 */
export class PathRef extends BaseRef {
  readonly address: string;
  readonly #path: string;
  readonly #resolver: PathResolver & Parameters<typeof startAsk>[0];

  constructor(resolver: PathResolver & Parameters<typeof startAsk>[0], address: string, path: string) {
    super();
    this.#resolver = resolver;
    this.address = address;
    this.#path = path;
  }

  #cell(): Cell | undefined {
    const cell = this.#resolver._resolvePath(this.#path);
    return cell?.status === 'stopped' ? undefined : cell;
  }

  send(event: AnyEventObject): void {
    const cell = this.#cell();
    if (cell) cell.tell(event);
    else this.#resolver._deadLetter(this.address, event, 'no-actor');
  }

  ask<TReply = AnyEventObject>(event: AnyEventObject, options?: AskOptions): Promise<TReply> {
    const cell = this.#cell();
    if (cell) return cell.ref.ask<TReply>(event, options);
    return startAsk<TReply>(this.#resolver, this.address, event, options, (_e, temp) =>
      temp.fail('TROUPE_ERR_NO_ACTOR', `no actor at ${this.address}`),
    );
  }

  _down(event: DownEvent): void {
    const cell = this.#cell();
    if (cell) cell.ref._down(event);
    else this.#resolver._deadLetter(this.address, event, 'no-actor');
  }

  _watch(watcher: BaseRef): void {
    const cell = this.#cell();
    if (cell) cell.watch(watcher);
    else watcher._down({ type: 'troupe.down', address: this.address, reason: 'noproc' });
  }

  _unwatch(watcher: BaseRef): void {
    this.#cell()?.unwatch(watcher);
  }

  _stop(reason: ExitReason): Promise<void> {
    const cell = this.#cell();
    return cell ? cell.ref._stop(reason) : Promise.resolve();
  }

  /** @internal */
  override get _streamHost(): StreamHost {
    return this.#resolver;
  }

  protected override _xstate() {
    return this.#cell()?.xstate ?? super._xstate();
  }
}
