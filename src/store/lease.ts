/**
 * `lease(store, name, { holder, ttlMs })`: a handle on one lease of a {@link Store}, for a holder
 * that renews it itself. Its `token` fences the holder's writes: once another holder has taken the
 * lease, a write carrying an older token is refused with `TROUPE_ERR_FENCED`.
 * @module
 */

import { createError } from '../errors.js';
import { checkLeaseText, checkTtl } from './args.js';
import type { Fence, Store } from './store.js';

/**
 * Options of {@link lease}.
 *
 * @example
 * ```ts
 * const options: LeaseOptions = { holder: `${system.node}/${nanoid()}`, ttlMs: 3000 };
 * ```
 */
export interface LeaseOptions {
  /** Who asks: unique among the candidates (a node id plus a random part is a good choice). */
  holder: string;
  /** How long a grant or renewal lasts, in ms of the store's time. */
  ttlMs: number;
}

/**
 * A handle on one lease for one holder.
 *
 * @example
 * ```ts
 * const l: Lease = lease(store, 'billing-leader', { holder: 'node-a', ttlMs: 3000 });
 * if (await l.acquire()) setInterval(async () => { if (!(await l.renew())) stopWorking(); }, 1000);
 * ```
 */
export interface Lease {
  readonly name: string;
  readonly holder: string;
  /** The token of this holder's current grant, or `undefined` when it holds none (as far as it knows). */
  readonly token: number | undefined;
  /** `{ lease: name, token }` for `store.put(…, { fence })`, or `undefined` when not held. */
  readonly fence: Fence | undefined;
  /** When the current grant lapses unless renewed (epoch ms of the store's clock), or `undefined`. */
  readonly expiresAt: number | undefined;
  /** Tries once: resolves to `{ token }`, or `null` when another holder has a live lease. */
  acquire(): Promise<{ token: number } | null>;
  /** Extends the current grant by `ttlMs`; `false` (and no token) when it was lost or never held. */
  renew(): Promise<boolean>;
  /** Lets go of the current grant, if any; the next holder need not wait for it to lapse. */
  release(): Promise<void>;
}

class StoreLease implements Lease {
  readonly name: string;
  readonly holder: string;
  readonly #store: Store;
  readonly #ttlMs: number;
  #token: number | undefined;
  #expiresAt: number | undefined;

  constructor(store: Store, name: string, options: LeaseOptions) {
    this.#store = store;
    this.name = name;
    this.holder = options.holder;
    this.#ttlMs = options.ttlMs;
  }

  get token(): number | undefined {
    return this.#token;
  }

  get fence(): Fence | undefined {
    return this.#token === undefined ? undefined : { lease: this.name, token: this.#token };
  }

  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  async acquire(): Promise<{ token: number } | null> {
    const record = await this.#store.acquireLease(this.name, this.holder, this.#ttlMs);
    if (record === null) {
      this.#lose();
      return null;
    }
    this.#token = record.token;
    this.#expiresAt = record.expiresAt;
    return { token: record.token };
  }

  async renew(): Promise<boolean> {
    const token = this.#token;
    if (token === undefined) return false;
    const ok = await this.#store.renewLease(this.name, this.holder, token, this.#ttlMs);
    if (!ok) this.#lose();
    return ok;
  }

  async release(): Promise<void> {
    const token = this.#token;
    if (token === undefined) return;
    this.#lose();
    await this.#store.releaseLease(this.name, this.holder, token);
  }

  #lose(): void {
    this.#token = undefined;
    this.#expiresAt = undefined;
  }
}

/**
 * A lease on `store` named `name`, for `holder`. Nothing happens until `acquire()`; renewal is the
 * holder's job (renew every `ttlMs / 3` or so, and stop acting as holder when `renew()` is `false`).
 *
 * @example
 * ```ts
 * const l = lease(store, 'billing-leader', { holder: `node-a/${nanoid()}`, ttlMs: 3000 });
 * if (await l.acquire()) {
 *   await store.put('billing/state', { step: 1 }, { fence: l.fence }); // refused once another holder takes over
 * }
 * ```
 */
export function lease(store: Store, name: string, options: LeaseOptions): Lease {
  const methods = ['acquireLease', 'renewLease', 'releaseLease'] as const;
  if (typeof store !== 'object' || store === null || !methods.every((m) => typeof store[m] === 'function')) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'lease needs a Store (memoryStore(), sqliteStore(…), …)');
  }
  checkLeaseText('lease name', name);
  if (typeof options !== 'object' || options === null)
    throw createError('TROUPE_ERR_INVALID_OPTION', 'lease options must be { holder, ttlMs }');
  checkLeaseText('lease holder', options.holder);
  checkTtl(options.ttlMs);
  return new StoreLease(store, name, options);
}
