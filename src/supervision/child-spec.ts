import { createError } from '../errors.js';
import type { RestartType } from './restart-decider.js';

/** How long a child may take to stop before it is killed: ms, `Infinity`, or `'brutal'` (kill at once). */
export type ShutdownSetting = number | 'brutal';

/** A worker does the work; a supervisor supervises other children. */
export type ChildType = 'worker' | 'supervisor';

/**
 * One child of a supervisor, as OTP's child specification.
 *
 * @example
 * ```ts
 * const db: ChildSpec = { id: 'db', logic: dbMachine, restart: 'permanent', shutdownMs: 5000 };
 * ```
 */
export interface ChildSpec<TLogic = unknown> {
  /** Unique among the supervisor's children; also the child's name (the last segment of its address). */
  id: string;
  /** What the child runs: XState logic, or another supervisor. */
  logic: TLogic;
  /** Given to the logic at every (re)start. */
  input?: unknown;
  /** Default `'permanent'`. */
  restart?: RestartType;
  /** Default 5000 for workers, `Infinity` for supervisors. */
  shutdownMs?: ShutdownSetting;
  /** With `autoShutdown`, this child's own exit may stop the supervisor. Not allowed with `permanent`. Default false. */
  significant?: boolean;
}

/** A validated spec with every default filled in. */
export interface ResolvedSpec<TLogic = unknown> {
  readonly id: string;
  readonly logic: TLogic;
  readonly input: unknown;
  readonly restart: RestartType;
  readonly shutdownMs: ShutdownSetting;
  readonly significant: boolean;
  readonly type: ChildType;
}

/** What validation needs to know about logic and names, supplied by the layer that runs children. */
export interface SpecRules<TLogic> {
  isLogic(logic: unknown): logic is TLogic;
  typeOf(logic: TLogic): ChildType;
  /** Why `id` cannot name an actor, or undefined when it can. */
  idProblem(id: string): string | undefined;
  /** Whether significant children are allowed (autoShutdown is not `'never'`). */
  readonly significantAllowed: boolean;
}

const RESTART_TYPES: readonly string[] = ['permanent', 'transient', 'temporary'];

/** Throws `TROUPE_ERR_INVALID_SPEC`. */
export function invalidSpec(message: string): never {
  throw createError('TROUPE_ERR_INVALID_SPEC', message);
}

/** Validates one child spec and fills its defaults; throws `TROUPE_ERR_INVALID_SPEC` naming the bad field. */
export function resolveChildSpec<TLogic>(spec: unknown, rules: SpecRules<TLogic>): ResolvedSpec<TLogic> {
  if (typeof spec !== 'object' || spec === null) invalidSpec(`a child spec must be an object, got ${String(spec)}`);
  const s = spec as Partial<ChildSpec<unknown>>;
  if (typeof s.id !== 'string' || s.id.length === 0) invalidSpec(`a child spec needs an id (a non-empty string), got ${String(s.id)}`);
  const id = s.id;
  const problem = rules.idProblem(id);
  if (problem !== undefined) invalidSpec(`child ${JSON.stringify(id)}: ${problem}`);
  if (!rules.isLogic(s.logic)) invalidSpec(`child ${id}: logic must be XState actor logic or a supervisor, got ${typeof s.logic}`);
  const logic = s.logic;
  const restart = s.restart ?? 'permanent';
  if (!RESTART_TYPES.includes(restart)) {
    invalidSpec(`child ${id}: restart must be 'permanent', 'transient' or 'temporary', got ${String(restart)}`);
  }
  const type = rules.typeOf(logic);
  const shutdownMs = s.shutdownMs ?? (type === 'supervisor' ? Number.POSITIVE_INFINITY : 5000);
  if (shutdownMs !== 'brutal' && !(typeof shutdownMs === 'number' && shutdownMs >= 0)) {
    invalidSpec(`child ${id}: shutdownMs must be a number >= 0, Infinity or 'brutal', got ${String(shutdownMs)}`);
  }
  const significant = s.significant ?? false;
  if (typeof significant !== 'boolean') invalidSpec(`child ${id}: significant must be a boolean, got ${String(significant)}`);
  if (significant && restart === 'permanent') {
    invalidSpec(`child ${id}: a permanent child cannot be significant (it never exits for good by itself)`);
  }
  if (significant && !rules.significantAllowed) {
    invalidSpec(`child ${id}: significant children need autoShutdown 'any-significant' or 'all-significant'`);
  }
  return { id, logic, input: s.input, restart, shutdownMs, significant, type };
}
