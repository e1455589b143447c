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
