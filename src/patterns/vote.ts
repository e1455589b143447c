/**
 * MAKER's first-to-ahead-by-k voting with red-flagging ("Solving a Million-Step LLM Task with Zero
 * Errors", arXiv 2511.09030): draw samples until one answer leads every other by `k`; samples that
 * are red-flagged (malformed, too long, or thrown) are discarded, not counted. And `kFor`, the
 * paper's rule for sizing `k` from the per-step error rate and the number of steps.
 * @module
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { createError, type InvalidArgumentError } from '../errors.js';

/**
 * Options of {@link vote}.
 *
 * @example
 * ```ts
 * const options: VoteOptions<Move> = { sample: (signal) => askAgent(state, signal), k: 4, maxSamples: 40, redFlag: (m) => !isWellFormed(m) };
 * ```
 */
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
  /**
   * Longest the whole vote may take, ms; then it rejects with `TROUPE_ERR_TIMEOUT` and aborts the
   * samples in flight. Default: none — give each sample its own timeout (an `ask` has one).
   */
  timeoutMs?: number;
}

/**
 * What a {@link vote} resolves to.
 *
 * @example
 * ```ts
 * const { winner, votes, samples, redFlagged }: VoteResult<Move> = await vote(options);
 * ```
 */
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
  if (typeof options !== 'object' || options === null) return Promise.reject(invalid('vote needs an options object'));
  const { sample, k, signal } = options;
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
  for (const name of ['redFlag', 'key'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function')
      return Promise.reject(invalid(`vote ${name} must be a function`));
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) return Promise.reject(invalid('vote signal must be an AbortSignal'));
  const { timeoutMs } = options;
  if (timeoutMs !== undefined && !(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    return Promise.reject(invalid(`vote timeoutMs must be a finite number > 0, got ${String(timeoutMs)}`));
  }
  if (signal?.aborted) return Promise.reject(createError('TROUPE_ERR_ABORTED', 'vote was aborted', { cause: signal.reason }));

  return new Promise((resolve, reject) => new Ballot(options, keyOf, maxSamples, concurrency, resolve, reject).launch());
}

/**
 * One vote in progress. A class rather than closures: a vote is small and MAKER runs a million of
 * them, so its per-vote allocations are what the orchestration costs.
 */
class Ballot<T> {
  readonly votes = new Map<string, number>();
  readonly #first = new Map<string, T>();
  readonly #options: VoteOptions<T>;
  readonly #keyOf: (value: T) => string;
  readonly #maxSamples: number;
  readonly #concurrency: number;
  readonly #controller = takeController();
  readonly #resolve: (result: VoteResult<T>) => void;
  readonly #reject: (error: unknown) => void;
  readonly #onValue = (value: T) => this.#settle(value, false);
  readonly #onError = () => this.#settle(undefined, true);
  #onAbort: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #launched = 0;
  #inFlight = 0;
  #finished = 0;
  #redFlagged = 0;
  #decided = false;

  constructor(
    options: VoteOptions<T>,
    keyOf: (value: T) => string,
    maxSamples: number,
    concurrency: number,
    resolve: (result: VoteResult<T>) => void,
    reject: (error: unknown) => void,
  ) {
    this.#options = options;
    this.#keyOf = keyOf;
    this.#maxSamples = maxSamples;
    this.#concurrency = concurrency;
    this.#resolve = resolve;
    this.#reject = reject;
    // Each in-flight sample may listen on the signal; only a wide vote needs Node's warning raised.
    if (concurrency > 8) setMaxListeners(concurrency + 2, this.#controller.signal);
    const signal = options.signal;
    if (signal !== undefined) {
      this.#onAbort = () => this.#end(createError('TROUPE_ERR_ABORTED', 'vote was aborted', { cause: signal.reason }));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      this.#timer = setTimeout(
        () => this.#end(createError('TROUPE_ERR_TIMEOUT', `vote undecided after ${timeoutMs} ms (${this.#finished} samples)`)),
        timeoutMs,
      );
    }
  }

  /** How far the leader is from winning: the fewest further votes that could decide. */
  #needed(): number {
    let top = 0;
    let second = 0;
    for (const n of this.votes.values()) {
      if (n > top) {
        second = top;
        top = n;
      } else if (n > second) second = n;
    }
    return this.#options.k - (top - second);
  }

  /** Draws as many samples as could still be needed (within `concurrency` and `maxSamples`). */
  launch(): void {
    const want = Math.min(this.#concurrency, this.#needed()) - this.#inFlight;
    for (let i = 0; i < want && this.#launched < this.#maxSamples; i++) {
      this.#launched++;
      this.#inFlight++;
      let drawn: Promise<T>;
      try {
        drawn = Promise.resolve(this.#options.sample(this.#controller.signal));
      } catch (err) {
        drawn = Promise.reject(err);
      }
      drawn.then(this.#onValue, this.#onError);
    }
    if (!this.#decided && this.#inFlight === 0 && this.#launched >= this.#maxSamples) {
      const tally = [...this.votes.entries()].map(([key, n]) => `${key.slice(0, 40)}: ${n}`).join(', ');
      this.#end(
        createError(
          'TROUPE_ERR_NO_CONSENSUS',
          `no answer led by ${this.#options.k} after ${this.#maxSamples} samples (${this.#redFlagged} red-flagged; votes ${tally || 'none'})`,
        ),
      );
    }
  }

  #settle(value: T | undefined, failed: boolean): void {
    this.#inFlight--;
    if (this.#decided) return;
    this.#finished++;
    let key: string | undefined;
    if (!failed) {
      try {
        const flag = this.#options.redFlag?.(value as T);
        if (flag !== undefined && flag !== false) failed = true;
        else key = this.#keyOf(value as T);
      } catch {
        failed = true;
      }
    }
    if (failed || typeof key !== 'string') this.#redFlagged++;
    else {
      this.votes.set(key, (this.votes.get(key) ?? 0) + 1);
      if (!this.#first.has(key)) this.#first.set(key, value as T);
      if (this.#needed() <= 0) {
        this.#end(undefined, this.#first.get(key));
        return;
      }
    }
    this.launch();
  }

  #end(error?: unknown, winner?: T): void {
    if (this.#decided) return;
    this.#decided = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    // Only samples still in flight need telling (and building an error costs a stack trace).
    if (this.#inFlight > 0) this.#controller.abort(error ?? createError('TROUPE_ERR_CANCELLED', 'the vote was decided'));
    else giveBack(this.#controller);
    if (error !== undefined) this.#reject(error);
    else this.#resolve({ winner: winner as T, votes: this.votes, samples: this.#finished, redFlagged: this.#redFlagged });
  }
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

/**
 * Options of {@link kFor}.
 *
 * @example
 * ```ts
 * const k = kFor({ steps: 1_048_575, errorRate: 0.01, target: 0.95 } satisfies KForOptions); // 4
 * ```
 */
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
  if (typeof options !== 'object' || options === null) throw invalid('kFor needs { steps, errorRate, target }');
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

/**
 * A key for any JSON-like value: strings as they are, anything else as JSON with sorted object keys.
 * One key never stands for two answers: a string that reads as another value's JSON (`'1'` beside
 * `1`, `'null'` beside `null`) or that starts with `"` is keyed as its own JSON text instead.
 * @internal
 */
export function stableKey(value: unknown): string {
  if (typeof value === 'string') return mistakable(value) ? JSON.stringify(value) : value;
  return sortedJson(value);
}

function sortedJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** True when `text` starts with `"` or is exactly the key {@link sortedJson} gives some non-string. */
function mistakable(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first === 0x22) return true; // "
  // Only text starting like a JSON number, object, array, true, false or null can be one.
  if (
    !(
      first === 0x2d ||
      (first >= 0x30 && first <= 0x39) ||
      first === 0x7b ||
      first === 0x5b ||
      first === 0x74 ||
      first === 0x66 ||
      first === 0x6e
    )
  ) {
    return false;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  return typeof parsed !== 'string' && sortedJson(parsed) === text;
}

function invalid(message: string): InvalidArgumentError {
  return createError('TROUPE_ERR_INVALID_OPTION', message);
}
