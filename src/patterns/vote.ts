/**
 * MAKER's first-to-ahead-by-k voting with red-flagging ("Solving a Million-Step LLM Task with Zero
 * Errors", arXiv 2511.09030): draw samples until one answer leads every other by `k`; samples that
 * are red-flagged (malformed, too long, or thrown) are discarded, not counted. And `kFor`, the
 * paper's rule for sizing `k` from the per-step error rate and the number of steps.
 * @module
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { AskError, InvalidArgumentError, TroupeError } from '../errors.js';

/** Options of {@link vote}. */
export interface VoteOptions<T> {
  /** Draws one sample (e.g. one micro-agent call). Aborted once the vote is decided or aborted. */
  sample: (signal: AbortSignal) => Promise<T>;
  /** The lead over every other answer that wins. */
  k: number;
  /** Samples drawn at most, red-flagged ones included. Default `10 * k`. */
  maxSamples?: number;
  /** True (or a reason string) discards a sample without counting it. A throw counts as true. */
  redFlag?: (value: T) => boolean | string;
  /** Which answers are the same. Default: the value itself for strings, else its JSON with sorted keys. */
  key?: (value: T) => string;
  /** Samples in flight at once. Default `k`. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** What a {@link vote} resolves to. */
export interface VoteResult<T> {
  /** The first sample drawn with the winning key. */
  winner: T;
  /** Counted (not red-flagged) samples per key. */
  votes: Map<string, number>;
  /** Samples finished when the vote was decided, red-flagged ones included. */
  samples: number;
  /** Samples discarded by `redFlag` or because they threw. */
  redFlagged: number;
}

/**
 * First-to-ahead-by-k: draws samples (at most `concurrency` at once, and never more than could
 * still be needed) until one key has `k` more votes than any other, then aborts the samples still
 * in flight. Rejects with `TROUPE_ERR_NO_CONSENSUS` when `maxSamples` are drawn with no such lead,
 * `TROUPE_ERR_ABORTED` when `signal` aborts.
 *
 * @example
 * ```ts
 * const { winner } = await vote({
 *   sample: (signal) => agent.ask({ type: 'task', input: state }, { signal }).then((r) => r.output),
 *   k: kFor({ steps: 1_048_575, errorRate: 0.01, target: 0.95 }),
 *   redFlag: (move) => !isWellFormed(move),
 * });
 * ```
 */
export function vote<T>(options: VoteOptions<T>): Promise<VoteResult<T>> {
  const { sample, k, redFlag, signal } = options;
  const maxSamples = options.maxSamples ?? 10 * k;
  const concurrency = options.concurrency ?? k;
  const keyOf = options.key ?? stableKey;
  if (typeof sample !== 'function') return Promise.reject(invalid('vote sample must be a function'));
  if (!(Number.isInteger(k) && k >= 1)) return Promise.reject(invalid(`vote k must be a whole number >= 1, got ${String(k)}`));
  if (!(Number.isInteger(maxSamples) && maxSamples >= k)) {
    return Promise.reject(invalid(`vote maxSamples must be a whole number >= k (${k}), got ${String(maxSamples)}`));
  }
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    return Promise.reject(invalid(`vote concurrency must be a whole number >= 1, got ${String(concurrency)}`));
  }
  if (signal?.aborted) return Promise.reject(new AskError('TROUPE_ERR_ABORTED', 'vote was aborted', { cause: signal.reason }));

  return new Promise((resolve, reject) => {
    const controller = takeController();
    // Each in-flight sample may listen on the signal; only a wide vote needs Node's warning raised.
    if (concurrency > 8) setMaxListeners(concurrency + 2, controller.signal);
    const votes = new Map<string, number>();
    const first = new Map<string, T>();
    let launched = 0;
    let inFlight = 0;
    let finished = 0;
    let redFlagged = 0;
    let decided = false;

    const end = (error?: unknown, winner?: T) => {
      decided = true;
      signal?.removeEventListener('abort', onAbort);
      // Only samples still in flight need telling (and building an error costs a stack trace).
      if (inFlight > 0) controller.abort(error ?? new TroupeError('TROUPE_ERR_CANCELLED', 'the vote was decided'));
      else giveBack(controller);
      if (error !== undefined) reject(error);
      else resolve({ winner: winner as T, votes, samples: finished, redFlagged });
    };
    const onAbort = () => end(new AskError('TROUPE_ERR_ABORTED', 'vote was aborted', { cause: signal?.reason }));
    signal?.addEventListener('abort', onAbort, { once: true });

    /** How far the leader is from winning: the fewest further votes that could decide. */
    const needed = (): number => {
      let top = 0;
      let second = 0;
      for (const n of votes.values()) {
        if (n > top) {
          second = top;
          top = n;
        } else if (n > second) second = n;
      }
      return k - (top - second);
    };

    const settle = (value: T | undefined, failed: boolean) => {
      inFlight--;
      if (decided) return;
      finished++;
      let key: string | undefined;
      if (!failed) {
        try {
          const flag = redFlag?.(value as T);
          if (flag !== undefined && flag !== false) failed = true;
          else key = keyOf(value as T);
        } catch {
          failed = true;
        }
      }
      if (failed || typeof key !== 'string') redFlagged++;
      else {
        const count = (votes.get(key) ?? 0) + 1;
        votes.set(key, count);
        if (!first.has(key)) first.set(key, value as T);
        if (needed() <= 0) {
          end(undefined, first.get(key));
          return;
        }
      }
      launch();
    };

    const launch = () => {
      const want = Math.min(concurrency, needed()) - inFlight;
      for (let i = 0; i < want && launched < maxSamples; i++) {
        launched++;
        inFlight++;
        let drawn: Promise<T>;
        try {
          drawn = Promise.resolve(sample(controller.signal));
        } catch (err) {
          drawn = Promise.reject(err);
        }
        drawn.then(
          (value) => settle(value, false),
          () => settle(undefined, true),
        );
      }
      if (!decided && inFlight === 0 && launched >= maxSamples) {
        const tally = [...votes.entries()].map(([key, n]) => `${key.slice(0, 40)}: ${n}`).join(', ');
        end(
          new TroupeError(
            'TROUPE_ERR_NO_CONSENSUS',
            `no answer led by ${k} after ${maxSamples} samples (${redFlagged} red-flagged; votes ${tally || 'none'})`,
          ),
        );
      }
    };
    launch();
  });
}

/**
 * Controllers of finished votes that nobody aborted and nobody still listens to: indistinguishable
 * from fresh ones, and reused, since creating an AbortSignal costs more than the rest of a small vote
 * (MAKER runs one vote per step, a million times).
 */
const spare: AbortController[] = [];

function takeController(): AbortController {
  return spare.pop() ?? new AbortController();
}

function giveBack(controller: AbortController): void {
  if (spare.length < 64 && !controller.signal.aborted && getEventListeners(controller.signal, 'abort').length === 0) {
    spare.push(controller);
  }
}

/** Options of {@link kFor}. */
export interface KForOptions {
  /** Steps of the whole task, each decided by one vote. */
  steps: number;
  /** Probability that one (not red-flagged) sample is wrong; below 0.5. */
  errorRate: number;
  /** Wanted probability that every step is right, e.g. 0.95. */
  target: number;
}

/**
 * The paper's sizing rule: with per-sample success `p = 1 - errorRate > 0.5`, a first-to-ahead-by-k
 * vote picks the right answer with probability `p^k / (p^k + (1-p)^k)`; `kFor` is the least `k`
 * whose per-step probability, raised to `steps`, reaches `target`. It grows as Θ(ln steps), so the
 * expected total cost is Θ(steps · ln steps).
 *
 * @example
 * ```ts
 * kFor({ steps: 1_048_575, errorRate: 0.01, target: 0.95 }); // 4
 * ```
 */
export function kFor(options: KForOptions): number {
  const { steps, errorRate, target } = options;
  if (!(Number.isInteger(steps) && steps >= 1)) throw invalid(`kFor steps must be a whole number >= 1, got ${String(steps)}`);
  if (!(typeof errorRate === 'number' && errorRate >= 0 && errorRate < 0.5)) {
    throw invalid(`kFor errorRate must be within [0, 0.5): voting cannot fix a coin that is wrong half the time; got ${String(errorRate)}`);
  }
  if (!(typeof target === 'number' && target > 0 && target < 1)) throw invalid(`kFor target must be within (0, 1), got ${String(target)}`);
  if (errorRate === 0) return 1;
  // per-step success 1 / (1 + r^k) with r = (1-p)/p; the whole task succeeds with
  // exp(-steps · ln(1 + r^k)); we need steps · ln(1 + r^k) <= -ln(target).
  const r = errorRate / (1 - errorRate);
  const budget = -Math.log(target);
  for (let k = 1; k < 10_000; k++) {
    if (steps * Math.log1p(r ** k) <= budget) return k;
  }
  throw invalid(`kFor found no k below 10000 for errorRate ${errorRate} over ${steps} steps`);
}

/**
 * The probability that a first-to-ahead-by-k vote with per-sample error `errorRate` picks the right
 * answer: `p^k / (p^k + (1-p)^k)` with `p = 1 - errorRate`.
 *
 * @example
 * ```ts
 * voteAccuracy(0.01, 4) ** 1_048_575; // ≈ 0.989: the chance that every step of 20-disk Hanoi is right
 * ```
 */
export function voteAccuracy(errorRate: number, k: number): number {
  const r = errorRate / (1 - errorRate);
  return 1 / (1 + r ** k);
}

/** A key for any JSON-like value: strings as they are, anything else as JSON with sorted object keys. @internal */
export function stableKey(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

function invalid(message: string): InvalidArgumentError {
  return new InvalidArgumentError('TROUPE_ERR_INVALID_OPTION', message);
}
