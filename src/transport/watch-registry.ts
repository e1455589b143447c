import type { BaseRef, DownEvent } from '../actors/ref.js';

/** One watch that crosses a link. */
export interface RemoteWatch {
  /** Address of the watched actor. */
  target: string;
  watcher: BaseRef;
  /** On the target's node: the local ref the watch was registered on. */
  targetRef?: BaseRef;
}

/**
 * The watches that cross links, per peer node, in both directions: `out` are local watchers of
 * remote targets (they get `troupe.down` with `'noconnection'` when the peer goes down), `in` are
 * remote watchers of local targets (unregistered when the peer goes down, so nothing leaks).
 */
export class WatchRegistry {
  readonly #out = new Map<string, Map<string, RemoteWatch>>();
  readonly #in = new Map<string, Map<string, RemoteWatch>>();

  /** Records a local watcher of a target on `node`; false if it was already recorded. */
  addOut(node: string, target: string, watcher: BaseRef): boolean {
    return add(this.#out, node, { target, watcher });
  }

  removeOut(node: string, target: string, watcherAddress: string): RemoteWatch | undefined {
    return remove(this.#out, node, target, watcherAddress);
  }

  /** Records a watcher on `node` of a local target. */
  addIn(node: string, target: string, watcher: BaseRef, targetRef: BaseRef): boolean {
    return add(this.#in, node, { target, watcher, targetRef });
  }

  removeIn(node: string, target: string, watcherAddress: string): RemoteWatch | undefined {
    return remove(this.#in, node, target, watcherAddress);
  }

  /** Removes and returns every watch of `node`, in one direction. */
  takeAll(direction: 'in' | 'out', node: string): RemoteWatch[] {
    const map = direction === 'in' ? this.#in : this.#out;
    const watches = map.get(node);
    map.delete(node);
    return watches === undefined ? [] : [...watches.values()];
  }

  /** How many watches cross the link to `node`, per direction. */
  count(node: string): { in: number; out: number } {
    return { in: this.#in.get(node)?.size ?? 0, out: this.#out.get(node)?.size ?? 0 };
  }
}

function key(target: string, watcherAddress: string): string {
  return `${target}\n${watcherAddress}`;
}

function add(map: Map<string, Map<string, RemoteWatch>>, node: string, watch: RemoteWatch): boolean {
  let watches = map.get(node);
  if (watches === undefined) {
    watches = new Map();
    map.set(node, watches);
  }
  const k = key(watch.target, watch.watcher.address);
  if (watches.has(k)) return false;
  watches.set(k, watch);
  return true;
}

function remove(map: Map<string, Map<string, RemoteWatch>>, node: string, target: string, watcherAddress: string): RemoteWatch | undefined {
  const watches = map.get(node);
  if (watches === undefined) return undefined;
  const k = key(target, watcherAddress);
  const watch = watches.get(k);
  if (watch === undefined) return undefined;
  watches.delete(k);
  if (watches.size === 0) map.delete(node);
  return watch;
}

/** The notice a watcher gets for a target whose node is unreachable. */
export function noconnection(target: string): DownEvent {
  return { type: 'troupe.down', address: target, reason: 'noconnection' };
}
