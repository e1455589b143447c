/**
 * Why an actor exited: `'normal'` (its logic finished), `'shutdown'` (stopped by its parent or the
 * system), `'killed'` (stopped brutally), `'noconnection'` (its node became unreachable), or
 * `{ error }` (it crashed).
 */
export type ExitReason = 'normal' | 'shutdown' | 'killed' | 'noconnection' | { error: unknown };

/** True for a crash. */
export function isCrash(reason: ExitReason): reason is { error: unknown } {
  return typeof reason === 'object' && reason !== null;
}

/** A short text for logs and inspection. */
export function describeReason(reason: ExitReason): string {
  if (!isCrash(reason)) return reason;
  const e = reason.error;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}
