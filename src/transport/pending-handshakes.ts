/**
 * Accepted links that have not authenticated yet, grouped by remote address. Unauthenticated
 * sockets cost almost nothing to open, so when the limits are reached the newcomer is kept and an
 * older pending link is evicted instead: the oldest one from the address holding the most. A
 * flood from some addresses then only ever evicts its own links, and a real peer — which answers
 * the challenge within one round trip — gets through while the flood goes on.
 */
import { remoteHost } from './transport.js';

/** What is tracked of one pending link. */
export interface PendingLink {
  readonly link: { readonly remote: string };
}

/** The limits of {@link PendingHandshakes}. */
export interface PendingLimits {
  /** Links authenticating at once, from all addresses. */
  maxPending: number;
  /** Of those, from one address. */
  maxPerAddress: number;
}

/** Why a pending link was evicted. */
export interface Eviction<T> {
  evicted: T;
  why: string;
}

/** @internal */
export class PendingHandshakes<T extends PendingLink> {
  /** By address, oldest first. */
  readonly #byHost = new Map<string, Set<T>>();
  #size = 0;
  readonly #limits: PendingLimits;
  /** Links evicted so far (for stats and tests). */
  evictions = 0;

  constructor(limits: PendingLimits) {
    this.#limits = limits;
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Adds `pending`; returns the link it displaces, if a limit was reached. The caller closes it.
   */
  add(pending: T): Eviction<T> | undefined {
    const host = remoteHost(pending.link.remote);
    let eviction: Eviction<T> | undefined;
    const own = this.#byHost.get(host);
    if (own !== undefined && own.size >= this.#limits.maxPerAddress) {
      eviction = { evicted: this.#oldest(own), why: `${own.size} links from ${host} are authenticating (maxPendingHandshakesPerAddress)` };
    } else if (this.#size >= this.#limits.maxPending) {
      eviction = { evicted: this.#oldest(this.#busiest()), why: `${this.#size} links are authenticating (maxPendingHandshakes)` };
    }
    if (eviction !== undefined) {
      this.delete(eviction.evicted);
      this.evictions++;
    }
    let set = this.#byHost.get(host);
    if (set === undefined) {
      set = new Set();
      this.#byHost.set(host, set);
    }
    set.add(pending);
    this.#size++;
    return eviction;
  }

  /** Forgets `pending` (it authenticated, failed or closed). */
  delete(pending: T): boolean {
    const host = remoteHost(pending.link.remote);
    const set = this.#byHost.get(host);
    if (set === undefined || !set.delete(pending)) return false;
    this.#size--;
    if (set.size === 0) this.#byHost.delete(host);
    return true;
  }

  values(): T[] {
    return [...this.#byHost.values()].flatMap((set) => [...set]);
  }

  clear(): void {
    this.#byHost.clear();
    this.#size = 0;
  }

  #busiest(): Set<T> {
    let busiest: Set<T> | undefined;
    for (const set of this.#byHost.values()) if (busiest === undefined || set.size > busiest.size) busiest = set;
    return busiest as Set<T>;
  }

  #oldest(set: Set<T>): T {
    return set.values().next().value as T;
  }
}
