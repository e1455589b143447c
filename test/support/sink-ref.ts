import type { AnyEventObject } from 'xstate';
import type { DownEvent } from '../../src/index.js';
import { BaseRef } from '../../src/internal.js';

/** A ref that records what is sent to it and the notices it gets: a stand-in producer, consumer or watcher. */
export class SinkRef extends BaseRef {
  readonly address: string;
  readonly sent: AnyEventObject[] = [];
  readonly downs: DownEvent[] = [];
  alive = true;

  constructor(address = 'troupe://test/sink') {
    super();
    this.address = address;
  }

  send(event: AnyEventObject): void {
    this.sent.push(event);
  }

  ask<TReply>(): Promise<TReply> {
    return Promise.reject(new Error('a sink cannot be asked'));
  }

  _down(event: DownEvent): void {
    this.downs.push(event);
  }

  _watch(watcher: BaseRef): void {
    watcher._down({ type: 'troupe.down', address: this.address, reason: 'noproc' });
  }

  _unwatch(): void {}

  _stop(): Promise<void> {
    this.alive = false;
    return Promise.resolve();
  }

  override get _alive(): boolean {
    return this.alive;
  }
}
