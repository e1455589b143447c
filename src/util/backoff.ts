/** Exponential backoff settings shared by supervision restarts and transport reconnects. */
export interface BackoffOptions {
  /** First delay, ms. Default 10. */
  minMs?: number;
  /** Largest delay, ms. Default 5000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Fraction of the delay randomised, 0..1. Default 0.2. */
  jitter?: number;
}

/**
 * The delay before attempt `attempt` (0-based): `min * factor^attempt`, capped at `max`, with up to
 * `jitter` of it randomised downwards so that many peers retrying at once spread out.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const min = options.minMs ?? 10;
  const max = options.maxMs ?? 5000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const base = Math.min(max, min * factor ** Math.max(0, attempt));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

/** Throws a message naming the bad field when backoff options are out of range; returns them otherwise. */
export function validateBackoff(options: BackoffOptions, fail: (message: string) => never): BackoffOptions {
  const { minMs = 10, maxMs = 5000, factor = 2, jitter = 0.2 } = options;
  if (!(Number.isFinite(minMs) && minMs >= 0)) fail(`backoff.minMs must be a finite number >= 0, got ${minMs}`);
  if (!(Number.isFinite(maxMs) && maxMs >= minMs)) fail(`backoff.maxMs must be a finite number >= minMs, got ${maxMs}`);
  if (!(Number.isFinite(factor) && factor >= 1)) fail(`backoff.factor must be >= 1, got ${factor}`);
  if (!(jitter >= 0 && jitter <= 1)) fail(`backoff.jitter must be within 0..1, got ${jitter}`);
  return { minMs, maxMs, factor, jitter };
}
