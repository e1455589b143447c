import { BaseRef, type DownEvent } from './ref.js';

/**
 * Who watches an actor or a temporary, keyed by the watcher's address: one notice per watcher,
 * however it was named (a `LocalRef`, a `PathRef` or a remote ref to the same actor). Owners keep
 * the map lazily (`undefined` until the first watch), since most actors are never watched.
 * @internal
 */
export type WatcherMap = Map<string, BaseRef>;

/** Adds `watcher`, creating the map on first use; returns the map to store. */
export function addWatcher(watchers: WatcherMap | undefined, watcher: BaseRef): WatcherMap {
  const map = watchers ?? new Map<string, BaseRef>();
  map.set(watcher.address, watcher);
  return map;
}

/** Sends every watcher one `troupe.down` for `address`. The owner then drops the map. */
export function notifyWatchers(watchers: WatcherMap | undefined, address: string, reason: DownEvent['reason']): void {
  if (watchers === undefined) return;
  const down: DownEvent = { type: 'troupe.down', address, reason };
  for (const w of watchers.values()) w._down(down);
}

/** A watch on something already gone: the watcher hears `'noproc'` at once. */
export function downAtOnce(watcher: BaseRef, address: string): void {
  watcher._down({ type: 'troupe.down', address, reason: 'noproc' });
}

/**
 * Base of the short-lived refs that can be watched until they end — an ask's reply ref, a stream's
 * consumer and producer ends. A watcher hears when it ends (the subclass says why), or `'noproc'`
 * at once if it already has.
 * @internal
 */
export abstract class WatchableEnd extends BaseRef {
  #watchers: WatcherMap | undefined;

  /** True once this end has ended. */
  protected abstract get _ended(): boolean;

  /** @internal */
  override get _alive(): boolean {
    return !this._ended;
  }

  _watch(watcher: BaseRef): void {
    if (this._ended) downAtOnce(watcher, this.address);
    else this.#watchers = addWatcher(this.#watchers, watcher);
  }

  _unwatch(watcher: BaseRef): void {
    this.#watchers?.delete(watcher.address);
  }

  /** Tells every watcher why this end ended, once. */
  protected _notifyEnded(reason: DownEvent['reason']): void {
    notifyWatchers(this.#watchers, this.address, reason);
    this.#watchers = undefined;
  }
}
