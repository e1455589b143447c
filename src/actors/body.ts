/**
 * What runs inside a cell: the `Body` contract, and the troupe-native logic (supervisors,
 * `fromStream`) that builds a body itself instead of handing the logic to XState.
 */
import type { AnyActor, AnyActorLogic, AnyEventObject, Snapshot } from 'xstate';
import type { Cell } from './cell.js';

/** The thing inside a cell that handles messages: an XState actor, or troupe-native logic. @internal */
export interface Body {
  start(): void;
  deliver(event: AnyEventObject): void;
  /** Ends the body without reporting an exit. */
  stop(): void;
  snapshot(): Snapshot<unknown> | undefined;
  readonly xstate?: AnyActor;
}

/** Marks logic the cell runs itself instead of handing it to XState (supervisors, streams). @internal */
export const kNativeLogic: unique symbol = Symbol.for('troupe.native-logic');

/** Troupe-native logic: builds a body for a cell. @internal */
export interface NativeLogic {
  readonly [kNativeLogic]: (cell: Cell, input: unknown) => Body;
}

/** Any logic a cell can run. */
export type SpawnableLogic = AnyActorLogic | NativeLogic;

export function isNativeLogic(logic: unknown): logic is NativeLogic {
  return typeof logic === 'object' && logic !== null && kNativeLogic in logic;
}
