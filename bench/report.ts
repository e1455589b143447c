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

/** Collects garbage when node runs with `--expose-gc`; a no-op otherwise. */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** The figures of a troupe-versus-baseline line, before rounding. */
export interface Versus {
  bench: string;
  unit: string;
  troupe: number;
  baseline: number;
  baselineName: string;
  ratio: number;
  /** The least ratio that meets the target. */
  target: number;
  rounds: number;
}

/** The head of a line: figures rounded, the ratio to three places, `target` as `ratio >= T` and whether it was met. */
export function versus(line: Versus): BenchLine {
  return {
    bench: line.bench,
    unit: line.unit,
    troupe: Math.round(line.troupe),
    baseline: Math.round(line.baseline),
    baselineName: line.baselineName,
    ratio: Number(line.ratio.toFixed(3)),
    target: `ratio >= ${line.target}`,
    met: line.ratio >= line.target,
    rounds: line.rounds,
  };
}

/** What {@link pairedRounds} measured: medians of each side, the median paired ratio, best rounds and ratio range. */
export interface PairedRounds {
  rounds: number;
  /** Median of troupe's rounds. */
  troupe: number;
  /** Median of the baseline's rounds. */
  baseline: number;
  /** Median of the per-round ratios troupe ÷ baseline. */
  ratio: number;
  troupeBest: number;
  baselineBest: number;
  ratioMin: number;
  ratioMax: number;
}

/**
 * Runs `warmup` rounds of each side (troupe first), then `rounds` rounds that run both sides back
 * to back, alternating which goes first and collecting garbage before each side. Each round's pair
 * ran back to back, so its ratio is the least disturbed by load from other processes; the result's
 * ratio is the median of those paired ratios.
 */
export async function pairedRounds(options: {
  rounds: number;
  warmup?: number;
  troupe: () => Promise<number> | number;
  baseline: () => Promise<number> | number;
}): Promise<PairedRounds> {
  const { rounds, warmup = 2 } = options;
  for (let i = 0; i < warmup; i++) {
    await options.troupe();
    await options.baseline();
  }
  const troupe: number[] = [];
  const baseline: number[] = [];
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
  const pairRatios = troupe.map((t, i) => t / baseline[i]);
  return {
    rounds,
    troupe: median(troupe),
    baseline: median(baseline),
    ratio: median(pairRatios),
    troupeBest: Math.max(...troupe),
    baselineBest: Math.max(...baseline),
    ratioMin: Math.min(...pairRatios),
    ratioMax: Math.max(...pairRatios),
  };
}

/**
 * Prints the line of a {@link pairedRounds} bench: the head, then `params` (the bench's sizes),
 * then the statistic used, the best rounds and the ratio range.
 */
export function reportPaired(
  line: Pick<Versus, 'bench' | 'unit' | 'baselineName' | 'target'>,
  result: PairedRounds,
  params: Record<string, unknown>,
): void {
  report({
    ...versus({ ...result, ...line }),
    ...params,
    stat: 'median of rounds; ratio: median of per-round paired ratios',
    troupeBest: Math.round(result.troupeBest),
    baselineBest: Math.round(result.baselineBest),
    ratioMin: Number(result.ratioMin.toFixed(3)),
    ratioMax: Number(result.ratioMax.toFixed(3)),
  });
}
