/**
 * What runs inside a cell, and the narrow view of the cell it runs against: the `Body` contract,
 * troupe-native logic (supervisors, `fromStream`) that builds a body itself, and the
 * {@link NativeContext} such logic gets instead of the cell. Contracts only: this file imports no
 * runtime module, so nothing that implements them forms an import cycle.
 */
import type { AnyActor, AnyActorLogic, AnyEventObject, Snapshot } from 'xstate';
import type { MailboxOptions } from '../mailbox/mailbox.js';
import type { ExitReason } from '../util/exit-reason.js';
import type { AskHost } from './ask.js';
import type { InspectionBus } from './inspection.js';
import type { BaseRef } from './ref.js';

/** The thing inside a cell that handles messages: an XState actor, or troupe-native logic. @internal */
export interface Body {
  start(): void;
  deliver(event: AnyEventObject): void;
  /** Ends the body without reporting an exit. */
  stop(): void;
  /** The XState actor, for XState bodies. */
  readonly xstate?: AnyActor;
}

/** Marks logic the cell runs itself instead of handing it to XState (supervisors, streams). @internal */
export const kNativeLogic: unique symbol = Symbol.for('troupe.native-logic');

/** Troupe-native logic: builds a body for a cell, given the cell's narrow context. @internal */
export interface NativeLogic {
  readonly [kNativeLogic]: (context: NativeContext, input: unknown) => Body;
}

/** Any logic a cell can run. */
export type SpawnableLogic = AnyActorLogic | NativeLogic;

/** True for troupe-native logic. @internal */
export function isNativeLogic(logic: unknown): logic is NativeLogic {
  return typeof logic === 'object' && logic !== null && kNativeLogic in logic;
}

/** True for anything `spawn` accepts: XState actor logic (it has `transition`) or troupe-native logic. @internal */
export function isSpawnableLogic(logic: unknown): logic is SpawnableLogic {
  return (
    isNativeLogic(logic) ||
    (typeof logic === 'object' && logic !== null && typeof (logic as { transition?: unknown }).transition === 'function')
  );
}

/** What a body reaches of its system: timers, temporaries, dead letters, inspection. @internal */
export interface BodyHost extends AskHost {
  readonly node: string;
  readonly inspection: InspectionBus;
}

/** Settings of one cell. @internal */
export interface CellSettings {
  input?: unknown;
  mailbox?: MailboxOptions;
  throughput?: number;
}

/** A child as the body supervising it drives it: replace its body, or let it go. @internal */
export interface ChildCell {
  readonly name: string;
  readonly ref: BaseRef;
  /** Ends the child's body with `reason`; its parent's policy then decides. */
  exit(reason: ExitReason): void;
  /** Replaces the ended body with a fresh one; queued messages survive. */
  restart(): void;
  /** Final: the child leaves the tree, its watchers hear `reason`. */
  finalize(reason: ExitReason): void;
  /** Stops the child and its descendants at once, without consulting the policy. */
  terminate(reason: ExitReason): void;
}

/**
 * Decides what happens when a child's body ends. A supervisor installs one on its own cell; cells
 * without one finalize their children at once.
 * @internal
 */
export interface ChildPolicy {
  /** The child's body ended by itself or was stopped from outside; call `child.restart()` or `child.finalize()`, now or later. */
  childExited(child: ChildCell, reason: ExitReason): void;
  /** The supervising cell is terminating: stop every child (in the policy's order), synchronously. */
  terminateChildren(): void;
}

/**
 * The narrow view of its cell a native body gets: who it is, what it may report, and (for
 * supervisors) its children. Not the cell itself: a body cannot reach the mailbox, the watchers or
 * the lifecycle state.
 * @internal
 */
export interface NativeContext {
  readonly host: BodyHost;
  readonly address: string;
  /** The actor's own ref. */
  readonly ref: BaseRef;
  /** Reports the body's current snapshot to inspection. */
  onSnapshot(snapshot: Snapshot<unknown>): void;
  /** The body ended (finished or crashed): the cell exits with `reason`. */
  exit(reason: ExitReason): void;
  /** From now on, every child's exit goes to `policy`. */
  supervise(policy: ChildPolicy): void;
  /** Creates, registers and starts a child; throws when the system stopped, this actor stopped or the name is taken. */
  spawnChild(name: string, logic: SpawnableLogic, settings: CellSettings): ChildCell;
  /** The live children, in start order. */
  childCells(): ChildCell[];
  /** A crash of `child` that no policy handles: counted and reported as an unhandled exit. */
  unhandledExit(child: ChildCell, reason: ExitReason): void;
}
