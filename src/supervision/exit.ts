/**
 * Why a child exited, as the supervision layer sees it. Structurally the same as the actors layer's
 * `ExitReason`, restated here because `supervision/` must not import `actors/`.
 */
export type ChildExitReason = 'normal' | 'shutdown' | 'killed' | 'noconnection' | { error: unknown };

/** True for a crash (`{ error }`). */
export function isCrashReason(reason: ChildExitReason): reason is { error: unknown } {
  return typeof reason === 'object' && reason !== null;
}

/** OTP's normal exits: the child finished (`normal`) or was asked to stop (`shutdown`). Anything else is abnormal. */
export function isNormalExit(reason: ChildExitReason): boolean {
  return reason === 'normal' || reason === 'shutdown';
}

/** A short text for errors and inspection. */
export function describeExit(reason: ChildExitReason): string {
  if (!isCrashReason(reason)) return reason;
  const e = reason.error;
  return `error: ${e instanceof Error ? e.message : String(e)}`;
}

/** The `{ cause }` option for an error that a crash led to. */
export function causeOf(reason: ChildExitReason): { cause: unknown } | undefined {
  return isCrashReason(reason) ? { cause: reason.error } : undefined;
}
