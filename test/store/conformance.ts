/**
 * The store conformance suite: every backend (memory, SQLite, Postgres) must pass it, as every
 * LangGraph checkpointer passes `checkpoint-validation`. Call {@link storeConformance} inside a
 * test file with a factory for the backend.
 */

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/errors.js';
import { MAX_VALUE_LENGTH } from '../../src/store/json.js';
import { lease } from '../../src/store/lease.js';
import type { JsonValue, Store } from '../../src/store/store.js';

/** How the suite reaches one backend. */
export interface ConformanceTarget {
  /** A fresh, empty store (each test gets its own). */
  create(): Promise<Store>;
  /** Lets the store's clock move on by at least `ms` (a simulated clock advances; a real one is waited for). */
  elapse(ms: number): Promise<void>;
  /**
   * When the backend is shared between processes: runs `workers` child processes against the store
   * `create` returned last, each making `rounds` tries — mode 'cas': move `key` from version v to
   * the next with cas (a win reports v); mode 'lease': take lease `key` and release it at once (a
   * win reports the token granted). Resolves to every win reported.
   */
  raceInProcesses?(opts: {
    mode: 'cas' | 'lease';
    key: string;
    workers: number;
    rounds: number;
  }): Promise<{ worker: number; from: number }[]>;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<TroupeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(TroupeError.is(err), `expected a TroupeError ${code}, got ${String(err)}`).toBe(true);
  expect((err as TroupeError).code).toBe(code);
  return err as TroupeError;
}

export function storeConformance(name: string, target: ConformanceTarget): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await target.create();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('#get / #put', () => {
      it('round-trips JSON values of every kind', async () => {
        const values: JsonValue[] = [
          null,
          true,
          false,
          0,
          -1.5,
          1e300,
          '',
          'héllo ✓ 🎭',
          [],
          [1, 'two', [3], { four: 4 }],
          {},
          { a: { b: { c: [null, true] } }, 'key with spaces': 'v', ключ: 'значение' },
        ];
        for (const [i, value] of values.entries()) {
          await store.put(`v/${i}`, value);
          expect((await store.get(`v/${i}`))?.value).toEqual(value);
        }
      });

      it('resolves undefined for a missing key', async () => {
        expect(await store.get('missing')).toBeUndefined();
      });

      it('hands out copies: mutating a read or a written value does not change the store', async () => {
        const value = { list: [1, 2] };
        await store.put('k', value);
        value.list.push(3);
        const read = await store.get<{ list: number[] }>('k');
        read!.value.list.push(4);
        expect((await store.get('k'))?.value).toEqual({ list: [1, 2] });
      });

      it('returns a version that grows on every write of the key', async () => {
        const v1 = await store.put('k', 1);
        const v2 = await store.put('k', 2);
        expect(Number.isSafeInteger(v1) && v1 > 0).toBe(true);
        expect(v2).toBeGreaterThan(v1);
        expect(await store.get('k')).toEqual({ value: 2, version: v2 });
      });

      it('never reuses a version for a key deleted and written again', async () => {
        const v1 = await store.put('k', 'a');
        await store.delete('k');
        const v2 = await store.put('k', 'b');
        expect(v2).toBeGreaterThan(v1);
        expect(await store.cas('k', v1, 'c')).toBe(false);
      });

      it('refuses values that are not JSON with TROUPE_ERR_INVALID_VALUE and keeps the old value', async () => {
        await store.put('k', 'old');
        const sparse = [1, 2, 3];
        delete sparse[1];
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        const bad: unknown[] = [
          undefined,
          Number.NaN,
          Number.POSITIVE_INFINITY,
          10n,
          () => 1,
          Symbol('s'),
          new Date(0),
          new Map(),
          { a: undefined },
          sparse,
          cyclic,
        ];
        for (const value of bad) {
          await rejectsWith(store.put('k', value as JsonValue), 'TROUPE_ERR_INVALID_VALUE');
          await rejectsWith(store.cas('k', null, value as JsonValue), 'TROUPE_ERR_INVALID_VALUE');
        }
        expect((await store.get('k'))?.value).toBe('old');
      });

      it('refuses a value whose JSON text is longer than MAX_VALUE_LENGTH with TROUPE_ERR_INVALID_VALUE', async () => {
        await store.put('k', 'old');
        const huge = 'x'.repeat(MAX_VALUE_LENGTH);
        await rejectsWith(store.put('k', huge), 'TROUPE_ERR_INVALID_VALUE');
        await rejectsWith(store.cas('k', null, { huge }), 'TROUPE_ERR_INVALID_VALUE');
        expect((await store.get('k'))?.value).toBe('old');
      });

      it('refuses bad keys with TROUPE_ERR_INVALID_OPTION', async () => {
        for (const key of ['', 'a\u0000b', 'x'.repeat(1025), 42]) {
          await rejectsWith(store.put(key as string, 1), 'TROUPE_ERR_INVALID_OPTION');
          await rejectsWith(store.get(key as string), 'TROUPE_ERR_INVALID_OPTION');
        }
      });

      it('keeps keys apart that differ only in case, trailing spaces or Unicode form', async () => {
        const keys = ['a', 'A', 'a ', 'é', 'e\u0301'];
        for (const [i, key] of keys.entries()) await store.put(key, i);
        for (const [i, key] of keys.entries()) expect((await store.get(key))?.value).toBe(i);
      });
    });

    describe('#delete', () => {
      it('removes a key and is a no-op for a missing one', async () => {
        await store.put('k', 1);
        await store.delete('k');
        expect(await store.get('k')).toBeUndefined();
        await store.delete('k');
        await store.delete('never');
      });
    });

    describe('#cas', () => {
      it('with null writes only if the key is absent', async () => {
        expect(await store.cas('k', null, 'first')).toBe(true);
        expect(await store.cas('k', null, 'second')).toBe(false);
        expect((await store.get('k'))?.value).toBe('first');
      });

      it('writes only when the version matches, and the write moves the version on', async () => {
        const v1 = await store.put('k', 1);
        expect(await store.cas('k', v1 + 1000, 2)).toBe(false);
        expect(await store.cas('k', v1, 2)).toBe(true);
        const now = await store.get('k');
        expect(now?.value).toBe(2);
        expect(now!.version).toBeGreaterThan(v1);
        expect(await store.cas('k', v1, 3)).toBe(false);
      });

      it('fails against a missing key with a version', async () => {
        expect(await store.cas('missing', 1, 'x')).toBe(false);
        expect(await store.get('missing')).toBeUndefined();
      });

      it('refuses a bad expected version', async () => {
        for (const v of [0, -1, 1.5, '1', undefined]) {
          await rejectsWith(store.cas('k', v as number, 1), 'TROUPE_ERR_INVALID_OPTION');
        }
      });

      it('lets exactly one of many concurrent callers win each version', async () => {
        const v0 = await store.put('counter', 0);
        const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => store.cas('counter', v0, i + 1)));
        expect(attempts.filter(Boolean)).toHaveLength(1);
      });

      if (target.raceInProcesses) {
        const race = target.raceInProcesses.bind(target);
        it('lets exactly one process win each version when several processes race on one key', async () => {
          const workers = 4;
          const rounds = 40;
          await store.put('race', { n: 0 });
          const wins = await race({ mode: 'cas', key: 'race', workers, rounds });
          const final = await store.get<{ n: number; by: number[] }>('race');
          // Each win moved the counter by one from the version it read; no version was won twice.
          const froms = wins.map((w) => w.from);
          expect(new Set(froms).size).toBe(froms.length);
          expect(final!.value.n).toBe(wins.length);
          // A try fails only when another won in between, so at least `rounds` tries won.
          expect(wins.length).toBeGreaterThanOrEqual(rounds);
        }, 60_000);
      }
    });

    describe('#list', () => {
      it('lists entries under a prefix in key order, with versions', async () => {
        const v = await store.put('run/2', 'b');
        await store.put('run/1', 'a');
        await store.put('run/10', 'c');
        await store.put('other/1', 'x');
        await store.put('run', 'bare');
        const listed = await store.list('run/');
        expect(listed.map((e) => e.key)).toEqual(['run/1', 'run/10', 'run/2']);
        expect(listed[2]).toEqual({ key: 'run/2', value: 'b', version: v });
        expect((await store.list('')).length).toBe(5);
        expect(await store.list('nothing/')).toEqual([]);
      });

      it('treats % _ \\ [ and * in a prefix as plain characters', async () => {
        for (const key of ['a%b/1', 'axb/1', 'a_c/1', 'ayc/1', 'a\\d/1', 'a\\\\d/1', 'a[e]/1', 'ae/1', 'a*f/1', 'aZf/1'])
          await store.put(key, key);
        expect((await store.list('a%b/')).map((e) => e.key)).toEqual(['a%b/1']);
        expect((await store.list('a_c/')).map((e) => e.key)).toEqual(['a_c/1']);
        expect((await store.list('a\\d/')).map((e) => e.key)).toEqual(['a\\d/1']);
        expect((await store.list('a[e]')).map((e) => e.key)).toEqual(['a[e]/1']);
        expect((await store.list('a*f')).map((e) => e.key)).toEqual(['a*f/1']);
        expect((await store.list('a%')).map((e) => e.key)).toEqual(['a%b/1']);
      });

      it('is case-sensitive and orders by code point (UTF-8 byte order)', async () => {
        for (const key of ['p/b', 'p/B', 'p/a', 'p/\uffff', 'p/🎭', 'p/é']) await store.put(key, 1);
        expect((await store.list('p/')).map((e) => e.key)).toEqual(['p/B', 'p/a', 'p/b', 'p/é', 'p/\uffff', 'p/🎭']);
        expect((await store.list('p/b')).map((e) => e.key)).toEqual(['p/b']);
      });
    });

    describe('leases', () => {
      it('grants a free lease, refuses it to another holder while live, renews it for its holder', async () => {
        const a = await store.acquireLease('L', 'a', 10_000);
        expect(a).toMatchObject({ holder: 'a' });
        expect(await store.acquireLease('L', 'b', 10_000)).toBeNull();
        expect(await store.renewLease('L', 'a', a!.token, 10_000)).toBe(true);
        expect(await store.renewLease('L', 'b', a!.token, 10_000)).toBe(false);
        expect(await store.renewLease('L', 'a', a!.token + 1, 10_000)).toBe(false);
        // acquire by the live holder renews and keeps the token
        expect((await store.acquireLease('L', 'a', 10_000))?.token).toBe(a!.token);
      });

      it('expires by the store clock: another holder may take it, with a larger token; the old one cannot renew', async () => {
        const a = await store.acquireLease('L', 'a', 40);
        await target.elapse(120);
        const b = await store.acquireLease('L', 'b', 10_000);
        expect(b).not.toBeNull();
        expect(b!.token).toBeGreaterThan(a!.token);
        expect(b!.expiresAt).toBeGreaterThan(a!.expiresAt);
        expect(await store.renewLease('L', 'a', a!.token, 10_000)).toBe(false);
      });

      it('raises the token on every change of holder, release included', async () => {
        const tokens: number[] = [];
        let holder = 'a';
        for (let i = 0; i < 6; i++) {
          const got = await store.acquireLease('L', holder, 10_000);
          tokens.push(got!.token);
          await store.releaseLease('L', holder, got!.token);
          holder = holder === 'a' ? 'b' : 'a';
        }
        for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
      });

      it('gives the same holder a new token when it takes the lease again after losing it', async () => {
        const first = await store.acquireLease('L', 'a', 40);
        await target.elapse(120);
        const again = await store.acquireLease('L', 'a', 10_000);
        expect(again!.token).toBeGreaterThan(first!.token);
      });

      it('ignores a release with a stale token or by another holder', async () => {
        const a = await store.acquireLease('L', 'a', 10_000);
        await store.releaseLease('L', 'b', a!.token);
        await store.releaseLease('L', 'a', a!.token + 1);
        expect(await store.acquireLease('L', 'b', 10_000)).toBeNull();
        await store.releaseLease('L', 'a', a!.token);
        expect(await store.renewLease('L', 'a', a!.token, 10_000)).toBe(false);
        expect(await store.acquireLease('L', 'b', 10_000)).not.toBeNull();
      });

      it('keeps leases apart from keys and from each other', async () => {
        await store.acquireLease('L', 'a', 10_000);
        expect(await store.list('')).toEqual([]);
        expect(await store.acquireLease('M', 'b', 10_000)).not.toBeNull();
      });

      it('refuses bad lease arguments', async () => {
        await rejectsWith(store.acquireLease('', 'a', 100), 'TROUPE_ERR_INVALID_OPTION');
        await rejectsWith(store.acquireLease('L', '', 100), 'TROUPE_ERR_INVALID_OPTION');
        for (const ttl of [0, -5, 1.5, Number.NaN]) await rejectsWith(store.acquireLease('L', 'a', ttl), 'TROUPE_ERR_INVALID_OPTION');
        await rejectsWith(store.renewLease('L', 'a', -1, 100), 'TROUPE_ERR_INVALID_OPTION');
      });

      if (target.raceInProcesses) {
        const race = target.raceInProcesses.bind(target);
        it('never grants one token to two processes racing to take and release one lease', async () => {
          const wins = await race({ mode: 'lease', key: 'contended', workers: 4, rounds: 40 });
          const tokens = wins.map((w) => w.from);
          // Two processes deciding on the same free lease would both be granted the same next token.
          expect(new Set(tokens).size).toBe(tokens.length);
          expect(tokens.length).toBeGreaterThan(0);
          const last = await store.acquireLease('contended', 'after', 60_000);
          expect(last!.token).toBe(Math.max(...tokens) + 1);
        }, 60_000);
      }

      it('grants a free lease to exactly one of many concurrent callers', async () => {
        const got = await Promise.all(Array.from({ length: 10 }, (_, i) => store.acquireLease('L', `h${i}`, 10_000)));
        expect(got.filter((g) => g !== null)).toHaveLength(1);
      });
    });

    describe('fencing', () => {
      it('accepts put, cas and delete carrying the current token', async () => {
        const l = lease(store, 'leader', { holder: 'a', ttlMs: 10_000 });
        await l.acquire();
        const fence = l.fence!;
        const v = await store.put('k', 1, { fence });
        expect(await store.cas('k', v, 2, { fence })).toBe(true);
        await store.delete('k', { fence });
        expect(await store.get('k')).toBeUndefined();
      });

      it('refuses put, cas and delete with a stale token once another holder took over', async () => {
        const a = lease(store, 'leader', { holder: 'a', ttlMs: 40 });
        await a.acquire();
        const stale = a.fence!;
        const v = await store.put('k', 'by a', { fence: stale });
        await target.elapse(120);
        const b = lease(store, 'leader', { holder: 'b', ttlMs: 10_000 });
        expect(await b.acquire()).not.toBeNull();
        await rejectsWith(store.put('k', 'late a', { fence: stale }), 'TROUPE_ERR_FENCED');
        await rejectsWith(store.cas('k', v, 'late a', { fence: stale }), 'TROUPE_ERR_FENCED');
        await rejectsWith(store.delete('k', { fence: stale }), 'TROUPE_ERR_FENCED');
        expect(await store.get('k')).toEqual({ value: 'by a', version: v });
        await store.put('k', 'by b', { fence: b.fence });
        expect((await store.get('k'))?.value).toBe('by b');
      });

      it('refuses a token of a lease never taken, a token from the future, and a released grant', async () => {
        await rejectsWith(store.put('k', 1, { fence: { lease: 'nobody', token: 1 } }), 'TROUPE_ERR_FENCED');
        const l = lease(store, 'leader', { holder: 'a', ttlMs: 10_000 });
        const { token } = (await l.acquire())!;
        await rejectsWith(store.put('k', 1, { fence: { lease: 'leader', token: token + 1 } }), 'TROUPE_ERR_FENCED');
        await l.release();
        await rejectsWith(store.put('k', 1, { fence: { lease: 'leader', token } }), 'TROUPE_ERR_FENCED');
        expect(await store.get('k')).toBeUndefined();
      });

      it('still accepts the token of a lapsed lease nobody took since', async () => {
        const l = lease(store, 'leader', { holder: 'a', ttlMs: 40 });
        await l.acquire();
        await target.elapse(120);
        await store.put('k', 1, { fence: l.fence });
        expect((await store.get('k'))?.value).toBe(1);
      });
    });

    describe('lease()', () => {
      it('acquires, renews, releases, and forgets its token when it loses the lease', async () => {
        const a = lease(store, 'L', { holder: 'a', ttlMs: 40 });
        expect(a.token).toBeUndefined();
        expect(await a.renew()).toBe(false);
        const got = await a.acquire();
        expect(got).toEqual({ token: a.token });
        expect(a.fence).toEqual({ lease: 'L', token: got!.token });
        expect(await a.renew()).toBe(true);
        await target.elapse(120);
        const b = lease(store, 'L', { holder: 'b', ttlMs: 10_000 });
        expect(await b.acquire()).not.toBeNull();
        expect(await a.renew()).toBe(false);
        expect(a.token).toBeUndefined();
        expect(await a.acquire()).toBeNull();
        await b.release();
        expect(b.token).toBeUndefined();
        expect((await a.acquire())!.token).toBeGreaterThan(got!.token);
      });

      it('refuses bad options at once', () => {
        expect(() => lease(store, '', { holder: 'a', ttlMs: 1 })).toThrow(TroupeError);
        expect(() => lease(store, 'L', { holder: 'a', ttlMs: 0 })).toThrow(TroupeError);
        expect(() => lease(store, 'L', { holder: '', ttlMs: 10 })).toThrow(TroupeError);
      });
    });

    describe('#close', () => {
      it('makes later calls reject with TROUPE_ERR_STORE_FAILED', async () => {
        await store.close();
        await rejectsWith(store.get('k'), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.put('k', 1), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.acquireLease('L', 'a', 100), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.delete('k'), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.cas('k', null, 1), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.list(''), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.renewLease('L', 'a', 1, 100), 'TROUPE_ERR_STORE_FAILED');
        await rejectsWith(store.releaseLease('L', 'a', 1), 'TROUPE_ERR_STORE_FAILED');
        await store.close();
      });

      it('settles every call in flight when closed: each one is done or rejects with TROUPE_ERR_STORE_FAILED', async () => {
        await store.put('warm', 1); // opened, so the calls below reach the backend
        const calls = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? store.put(`k${i}`, i) : store.list('k')));
        await store.close();
        const settled = await Promise.allSettled(calls);
        for (const s of settled) {
          if (s.status === 'rejected') expect((s.reason as TroupeError).code).toBe('TROUPE_ERR_STORE_FAILED');
        }
      });
    });
  });
}
