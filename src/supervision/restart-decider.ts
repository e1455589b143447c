import { type ExitReason, isNormalExit } from '../util/exit-reason.js';

/**
 * When a child is restarted after it exits by itself:
 * - `permanent`: always;
 * - `transient`: only after an abnormal exit (anything but `normal` and `shutdown`);
 * - `temporary`: never, and its spec is deleted.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** OTP's `do_restart/3` decision: does a child of this restart type come back after `reason`? */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return !isNormalExit(reason);
    case 'temporary':
      return false;
  }
}
