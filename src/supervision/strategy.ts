/** Which children restart with a failed one. */
export type StrategyName = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/** The narrow view of a supervisor a strategy acts on: its children in start order. */
export interface Supervisor<C> {
  /** Every child, in start order. */
  children(): readonly C[];
  /** `child` and every child started after it, in start order. */
  startedFrom(child: C): readonly C[];
}

/**
 * Decides which children a failure restarts. The supervisor then stops the others of that group in
 * reverse start order and starts the whole group again in start order (OTP's restart/3).
 */
export interface SupervisorStrategy {
  readonly name: StrategyName;
  /** The children to restart because `failed` exited and must come back, in start order. */
  restartGroup<C>(supervisor: Supervisor<C>, failed: C): readonly C[];
}
