/**
 * Shared by the store benches (store-memory, store-sqlite, store-postgres): each round times N puts,
 * N gets and N read-modify-writes (get, then cas against the version read) on 100 keys, for the
 * troupe store and for a baseline doing the same through the raw driver, alternating round by round;
 * the line's head figure is the read-modify-write rate.
 */
import type { Store } from '../src/store/store.js';
import { alternate, type PairedRounds, paired, reportPaired, round } from './report.js';

/** The three operations as one side performs them. */
export interface OpsSide {
  put(key: string, value: { n: number; pad: string }): Promise<unknown> | unknown;
  get(key: string): Promise<unknown> | unknown;
  /** Reads `key`'s version and writes it back only if unchanged; true when the write happened. */
  readModifyWrite(key: string, n: number): Promise<boolean> | boolean;
}

/** Figures of one side in one round, ops/s. */
interface RoundFigures {
  put: number;
  get: number;
  rmw: number;
}

const KEYS = 100;
const PAD = 'x'.repeat(100);

async function rate(n: number, op: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op(i);
  return (n / (performance.now() - t0)) * 1000;
}

async function runSide(side: OpsSide, n: number): Promise<RoundFigures> {
  const put = await rate(n, (i) => side.put(`bench/${i % KEYS}`, { n: i, pad: PAD }));
  const get = await rate(n, (i) => side.get(`bench/${i % KEYS}`));
  const rmw = await rate(n, async (i) => {
    if (!(await side.readModifyWrite(`bench/${i % KEYS}`, i))) throw new Error('read-modify-write lost a race with nobody');
  });
  return { put, get, rmw };
}

/** The troupe side: a {@link Store}. */
export function storeSide(store: Store): OpsSide {
  return {
    put: (key, value) => store.put(key, value),
    get: (key) => store.get(key),
    async readModifyWrite(key, n) {
      const current = await store.get(key);
      return store.cas(key, current?.version ?? null, { n, pad: PAD });
    },
  };
}

function rangeOf(prefix: string, r: PairedRounds): Record<string, number> {
  const d = r.troupe < 100 ? 1 : 0;
  return {
    [`${prefix}Troupe`]: round(r.troupe, d),
    [`${prefix}Baseline`]: round(r.baseline, d),
    [`${prefix}Ratio`]: round(r.ratio, 3),
    [`${prefix}RatioMin`]: round(r.ratioMin, 3),
    [`${prefix}RatioMax`]: round(r.ratioMax, 3),
  };
}

/** Runs the rounds and prints the line. */
export async function benchStore(options: {
  bench: string;
  baselineName: string;
  target: number;
  ops: number;
  rounds: number;
  troupe: () => Promise<OpsSide>;
  baseline: () => Promise<OpsSide>;
  extra?: Record<string, unknown>;
}): Promise<void> {
  const troupe = await options.troupe();
  const baseline = await options.baseline();
  const sides = await alternate<RoundFigures>({
    rounds: options.rounds,
    warmup: 1,
    troupe: () => runSide(troupe, options.ops),
    baseline: () => runSide(baseline, options.ops),
  });
  const pick = (k: keyof RoundFigures) =>
    paired(
      options.rounds,
      sides.troupe.map((f) => f[k]),
      sides.baseline.map((f) => f[k]),
    );
  const rmw = pick('rmw');
  reportPaired({ bench: options.bench, unit: 'read-modify-writes/s', baselineName: options.baselineName, target: options.target }, rmw, {
    opsPerRound: options.ops,
    keys: KEYS,
    ...rangeOf('put', pick('put')),
    ...rangeOf('get', pick('get')),
    ...options.extra,
  });
}
