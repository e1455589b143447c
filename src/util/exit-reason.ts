/**
 * Why an actor exited, and the helpers every layer reads it with. The one copy: the actors layer
 * reports exits, supervision decides on them, streams and the transport relay them.
 */

/**
 * Why an actor exited: `'normal'` (its logic finished), `'shutdown'` (stopped by its parent or the
 * system), `'killed'` (stopped brutally), `'noconnection'` (its node became unreachable), or
 * `{ error }` (it crashed).
 */
export type ExitReason = 'normal' | 'shutdown' | 'killed' | 'noconnection' | { error: unknown };

/** True for a crash (`{ error }`). */
export function isCrash(reason: ExitReason): reason is { error: unknown } {
  return typeof reason === 'object' && reason !== null;
}

/** OTP's normal exits: the child finished (`normal`) or was asked to stop (`shutdown`). Anything else is abnormal. */
export function isNormalExit(reason: ExitReason): boolean {
  return reason === 'normal' || reason === 'shutdown';
}

/** A short text for logs, errors and inspection. */
export function describeReason(reason: ExitReason): string {
  if (!isCrash(reason)) return reason;
  const e = reason.error;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

/** The `{ cause }` option for an error that a crash led to. */
export function causeOf(reason: ExitReason): { cause: unknown } | undefined {
  return isCrash(reason) ? { cause: reason.error } : undefined;
}
