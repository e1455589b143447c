/** One benchmark result line: troupe's figure, the baseline from the same run, and their ratio. */
export interface BenchLine {
  bench: string;
  unit: string;
  troupe: number;
  baseline?: number;
  baselineName?: string;
  /** troupe ÷ baseline (or as the bench defines it). */
  ratio?: number;
  target?: string;
  met?: boolean;
  [extra: string]: unknown;
}

/** Prints one JSON line. */
export function report(line: BenchLine): void {
  console.log(JSON.stringify(line));
}

/** Median of a list of numbers. */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0..100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/** Runs `fn` `rounds` times and returns the best (largest) figure, to damp noise on a shared machine. */
export async function best(rounds: number, fn: () => Promise<number> | number): Promise<number> {
  let top = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < rounds; i++) top = Math.max(top, await fn());
  return top;
}

/** A moment on two clocks: wall time and this process's CPU time, both ms. */
export interface Stamp {
  wall: number;
  cpu: number;
}

/**
 * Wall time and CPU time (user + system of the whole process, so GC threads count) now. CPU time
 * is what a bench's own work cost, whatever other processes of a shared machine take meanwhile;
 * wall time is what a caller waited.
 */
export function stamp(): Stamp {
  const { user, system } = process.cpuUsage();
  return { wall: performance.now(), cpu: (user + system) / 1000 };
}

/** Both clocks' ms from `from` to `to`. */
export function elapsed(from: Stamp, to: Stamp = stamp()): Stamp {
  return { wall: to.wall - from.wall, cpu: to.cpu - from.cpu };
}

/** Collects garbage when node runs with `--expose-gc`; a no-op otherwise. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A list of round figures summarized: its median and its range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median, least and largest of `values`. */
export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Rounds `n` to `digits` decimal places. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * The range fields of one side of a line: `<name>Min` and `<name>Max` (the median is the line's
 * head figure), rounded to `digits` places.
 */
export function rangeFields(name: string, s: Spread, digits = 0): Record<string, number> {
  return { [`${name}Min`]: round(s.min, digits), [`${name}Max`]: round(s.max, digits) };
}

/**
 * Runs `warmup` rounds of each side (troupe first), then `rounds` rounds that run both sides back
 * to back, alternating which goes first and collecting garbage before each side, so load drift on
 * a shared machine reaches both sides alike. Returns each side's samples in round order.
 */
export async function alternate<T>(options: {
  rounds: number;
  warmup?: number;
  troupe: () => Promise<T> | T;
  baseline: () => Promise<T> | T;
}): Promise<{ troupe: T[]; baseline: T[] }> {
  const { rounds, warmup = 2 } = options;
  for (let i = 0; i < warmup; i++) {
    await options.troupe();
    await options.baseline();
  }
  const troupe: T[] = [];
  const baseline: T[] = [];
  for (let r = 0; r < rounds; r++) {
    gc();
    if (r % 2 === 0) {
      troupe.push(await options.troupe());
      gc();
      baseline.push(await options.baseline());
    } else {
      baseline.push(await options.baseline());
      gc();
      troupe.push(await options.troupe());
    }
  }
  return { troupe, baseline };
}

/** The figures of a troupe-versus-baseline line, before rounding. */
export interface Versus {
  bench: string;
  unit: string;
  troupe: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  /** The least ratio that meets the target (the largest, with `lowerIsBetter`). */
  target: number;
  rounds: number;
  /** The unit is a cost (ms, µs, bytes): the target is `ratio <= target`. */
  lowerIsBetter?: boolean;
}

/** The head of a line: figures rounded, the ratio to three places, `target` as `ratio >= T` (or `<=`) and whether it was met. */
export function versus(line: Versus): BenchLine {
  const digits = Math.abs(line.troupe) < 100 || Math.abs(line.baseline) < 100 ? 1 : 0;
  return {
    bench: line.bench,
    unit: line.unit,
    troupe: round(line.troupe, digits),
    baseline: round(line.baseline, digits),
    baselineName: line.baselineName,
    ratio: round(line.ratio, 3),
    target: `ratio ${line.lowerIsBetter ? '<=' : '>='} ${line.target}`,
    met: line.lowerIsBetter ? line.ratio <= line.target : line.ratio >= line.target,
    rounds: line.rounds,
  };
}

/** What {@link pairedRounds} measured: each side's median and range, and the paired ratios' median and range. */
export interface PairedRounds {
  rounds: number;
  /** Median of troupe's rounds. */
  troupe: number;
  /** Median of the baseline's rounds. */
  baseline: number;
  /** Median of the per-round ratios troupe ÷ baseline. */
  ratio: number;
  troupeMin: number;
  troupeMax: number;
  baselineMin: number;
  baselineMax: number;
  /** Largest troupe round (for a rate, the best). */
  troupeBest: number;
  /** Largest baseline round (for a rate, the best). */
  baselineBest: number;
  ratioMin: number;
  ratioMax: number;
}

/** Summarizes the two sides' round figures (index i of each ran in the same round). */
export function paired(rounds: number, troupe: number[], baseline: number[]): PairedRounds {
  const pairRatios = troupe.map((t, i) => t / baseline[i]);
  const t = spread(troupe);
  const b = spread(baseline);
  const r = spread(pairRatios);
  return {
    rounds,
    troupe: t.median,
    baseline: b.median,
    ratio: r.median,
    troupeMin: t.min,
    troupeMax: t.max,
    baselineMin: b.min,
    baselineMax: b.max,
    troupeBest: t.max,
    baselineBest: b.max,
    ratioMin: r.min,
    ratioMax: r.max,
  };
}

/**
 * Runs `warmup` rounds of each side (troupe first), then `rounds` rounds that run both sides back
 * to back, alternating which goes first and collecting garbage before each side (see
 * {@link alternate}). Each round's pair ran back to back, so its ratio is the least disturbed by
 * load from other processes; the result's ratio is the median of those paired ratios.
 */
export async function pairedRounds(options: {
  rounds: number;
  warmup?: number;
  troupe: () => Promise<number> | number;
  baseline: () => Promise<number> | number;
}): Promise<PairedRounds> {
  const { troupe, baseline } = await alternate(options);
  return paired(options.rounds, troupe, baseline);
}

/** The statistic every paired line uses. */
export const PAIRED_STAT = 'median of rounds (min-max beside); ratio: median of per-round paired ratios';

/**
 * Prints the line of a {@link pairedRounds} bench: the head, then `params` (the bench's sizes),
 * then the statistic used and each side's and the ratio's range over the rounds.
 */
export function reportPaired(
  line: Pick<Versus, 'bench' | 'unit' | 'baselineName' | 'target' | 'lowerIsBetter'>,
  result: PairedRounds,
  params: Record<string, unknown>,
): void {
  const digits = Math.abs(result.troupe) < 100 || Math.abs(result.baseline) < 100 ? 1 : 0;
  report({
    ...versus({ ...result, ...line }),
    ...params,
    stat: PAIRED_STAT,
    troupeMin: round(result.troupeMin, digits),
    troupeMax: round(result.troupeMax, digits),
    baselineMin: round(result.baselineMin, digits),
    baselineMax: round(result.baselineMax, digits),
    ratioMin: round(result.ratioMin, 3),
    ratioMax: round(result.ratioMax, 3),
  });
}
