/**
 * The live temporaries of one node — ask reply refs, stream ends, orphan guards — by path, so
 * that events arriving from other nodes find them and a lost node fails the ones waiting on it.
 */
import type { ErrorCode } from '../errors.js';
import { randomId } from '../util/random-id.js';
import { isOnNode, nodePrefix } from './address.js';
import type { Temporary } from './ask.js';
import type { BaseRef } from './ref.js';

/** @internal */
export class Temporaries {
  readonly #byPath = new Map<string, Temporary>();
  /** Live temporaries of each kind (`ask`, `stream`, …). */
  readonly #kinds = new Map<string, number>();
  /** `troupe://<node>/`: every temporary's address starts with it. */
  readonly #prefix: string;

  constructor(node: string) {
    this.#prefix = nodePrefix(node);
  }

  /**
   * Registers `temp` under a fresh `$<kind>.<id>` path and returns its address. The id is
   * unguessable: a reply or stream address is a capability. Whoever was handed it — on any node,
   * through any number of forwards — may answer; no peer can forge an answer to an ask it never saw.
   */
  register(temp: Temporary, kind: string): string {
    // 96 random bits: reply and stream addresses must not be guessable.
    const path = `$${kind}.${randomId(16)}`;
    this.#byPath.set(path, temp);
    this.#kinds.set(kind, (this.#kinds.get(kind) ?? 0) + 1);
    return this.#prefix + path;
  }

  unregister(temp: Temporary): void {
    const path = temp.address.slice(this.#prefix.length);
    if (this.#byPath.get(path) !== temp) return;
    this.#byPath.delete(path);
    const kind = path.slice(1, path.indexOf('.'));
    this.#kinds.set(kind, (this.#kinds.get(kind) ?? 1) - 1);
  }

  /** Live temporaries, of one `kind` or all. */
  count(kind?: string): number {
    return kind === undefined ? this.#byPath.size : (this.#kinds.get(kind) ?? 0);
  }

  get(path: string): Temporary | undefined {
    return this.#byPath.get(path);
  }

  /** True when `ref` is the live temporary registered at its own address. */
  holds(ref: BaseRef): boolean {
    const address = ref.address;
    return address.startsWith(this.#prefix) && this.#byPath.get(address.slice(this.#prefix.length)) === ref;
  }

  /** Fails every temporary waiting on an actor of `node`. */
  failWaitingOn(node: string, code: ErrorCode, message: string): void {
    for (const temp of [...this.#byPath.values()]) if (isOnNode(temp.target, node)) temp.fail(code, message);
  }

  failAll(code: ErrorCode, message: string): void {
    for (const temp of [...this.#byPath.values()]) temp.fail(code, message);
  }
}
