import { type BackoffOptions, validateBackoff } from '../util/backoff.js';
import { type ChildSpec, invalidSpec, type ResolvedSpec, resolveChildSpec, type SpecRules } from './child-spec.js';
import type { StrategyName } from './strategy.js';

/** When a significant child's own exit stops the supervisor. */
export type AutoShutdown = 'never' | 'any-significant' | 'all-significant';

/**
 * A supervisor's configuration, as OTP's supervisor flags plus its child specs.
 *
 * @example
 * ```ts
 * const flags: SupervisorFlags = { strategy: 'one-for-all', intensity: 3, periodMs: 5000, children: [db, cache] };
 * ```
 */
export interface SupervisorFlags<TLogic = unknown> {
  /** Default `'one-for-one'`. */
  strategy?: StrategyName;
  /** Most restarts allowed within `periodMs`; one more and the supervisor gives up. Default 1 (OTP). */
  intensity?: number;
  /** Default 5000 (OTP's 5 s). */
  periodMs?: number;
  /** Optional delay before each restart, growing while a child keeps failing. Default: restart at once (OTP). */
  backoff?: BackoffOptions;
  /** Default `'never'`. */
  autoShutdown?: AutoShutdown;
  /** Started in this order, stopped in reverse. Default none. */
  children?: readonly ChildSpec<TLogic>[];
}

/** Validated flags with every default filled in. */
export interface ResolvedFlags<TLogic = unknown> {
  readonly strategy: StrategyName;
  readonly intensity: number;
  readonly periodMs: number;
  readonly backoff: BackoffOptions | undefined;
  readonly autoShutdown: AutoShutdown;
  readonly children: readonly ResolvedSpec<TLogic>[];
}

const STRATEGIES: readonly string[] = ['one-for-one', 'one-for-all', 'rest-for-one'];
const AUTO_SHUTDOWN: readonly string[] = ['never', 'any-significant', 'all-significant'];

/** Validates flags and child specs at once; throws `TROUPE_ERR_INVALID_SPEC` naming the first bad field. */
export function resolveFlags<TLogic>(flags: unknown, rules: Omit<SpecRules<TLogic>, 'significantAllowed'>): ResolvedFlags<TLogic> {
  if (typeof flags !== 'object' || flags === null) invalidSpec(`supervisor flags must be an object, got ${String(flags)}`);
  const f = flags as SupervisorFlags<unknown>;
  const strategy = f.strategy ?? 'one-for-one';
  if (!STRATEGIES.includes(strategy)) {
    invalidSpec(`strategy must be 'one-for-one', 'one-for-all' or 'rest-for-one', got ${String(strategy)}`);
  }
  const intensity = f.intensity ?? 1;
  if (!(Number.isInteger(intensity) && intensity >= 0)) invalidSpec(`intensity must be a whole number >= 0, got ${String(intensity)}`);
  const periodMs = f.periodMs ?? 5000;
  if (!(typeof periodMs === 'number' && periodMs > 0)) invalidSpec(`periodMs must be a number > 0, got ${String(periodMs)}`);
  const autoShutdown = f.autoShutdown ?? 'never';
  if (!AUTO_SHUTDOWN.includes(autoShutdown)) {
    invalidSpec(`autoShutdown must be 'never', 'any-significant' or 'all-significant', got ${String(autoShutdown)}`);
  }
  let backoff: BackoffOptions | undefined;
  if (f.backoff !== undefined) {
    if (typeof f.backoff !== 'object' || f.backoff === null) invalidSpec(`backoff must be an object, got ${String(f.backoff)}`);
    backoff = validateBackoff(f.backoff, invalidSpec);
  }
  const list = f.children ?? [];
  if (!Array.isArray(list)) invalidSpec(`children must be an array of child specs, got ${typeof list}`);
  const specRules: SpecRules<TLogic> = { ...rules, significantAllowed: autoShutdown !== 'never' };
  const ids = new Set<string>();
  const children: ResolvedSpec<TLogic>[] = [];
  for (const spec of list) {
    const resolved = resolveChildSpec(spec, specRules);
    if (ids.has(resolved.id)) invalidSpec(`duplicate child id ${JSON.stringify(resolved.id)}`);
    ids.add(resolved.id);
    children.push(resolved);
  }
  return { strategy, intensity, periodMs, backoff, autoShutdown, children };
}
