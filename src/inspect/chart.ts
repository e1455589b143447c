/**
 * A statechart as plain data, read from an XState machine's state nodes: what `viz.ts` draws and
 * what the inspector sends to its page. Ids are the state's key path joined with `.` (the root is
 * `''`), so they do not depend on custom XState ids.
 */
import type { AnyStateMachine } from 'xstate';

/**
 * One transition: the event that takes it, its targets (state ids) and its guard's name.
 *
 * @example
 * ```ts
 * const t: ChartTransition = { event: 'open', targets: ['opened'], guard: 'isUnlocked' };
 * ```
 */
export interface ChartTransition {
  event: string;
  targets: string[];
  guard?: string;
}

/**
 * One state of a {@link Chart}.
 *
 * @example
 * ```ts
 * chartOf(doorMachine).root.states[0]; // { id: 'closed', key: 'closed', type: 'atomic', states: [], transitions: […] }
 * ```
 */
export interface ChartState {
  /** Key path joined with `.`; `''` for the root. */
  id: string;
  key: string;
  type: 'atomic' | 'compound' | 'parallel' | 'final' | 'history';
  /** Id of the initial child state, for compound states. */
  initial?: string;
  states: ChartState[];
  transitions: ChartTransition[];
}

/**
 * A machine's statechart.
 *
 * @example
 * ```ts
 * const chart: Chart = chartOf(doorMachine);
 * console.log(toMermaid(chart));
 * ```
 */
export interface Chart {
  /** The machine's id. */
  id: string;
  root: ChartState;
}

interface XStateNode {
  key: string;
  path: string[];
  type: ChartState['type'];
  states: Record<string, XStateNode>;
  initial?: { target?: XStateNode[] };
  transitions: Map<string, { target?: XStateNode[]; guard?: unknown }[]>;
  always?: { target?: XStateNode[]; guard?: unknown }[];
}

/** True when `logic` is an XState machine: a root state node (with its path) and a transition function. */
export function isMachine(logic: unknown): logic is AnyStateMachine {
  if (typeof logic !== 'object' || logic === null) return false;
  // a plain Chart has a `root` with `states` too: the path and `transition` tell a machine apart
  const m = logic as { root?: { states?: unknown; path?: unknown }; transition?: unknown };
  return typeof m.root?.states === 'object' && Array.isArray(m.root.path) && typeof m.transition === 'function';
}

/**
 * Reads the statechart of `machine`: states, nesting, parallel regions, initial and final states,
 * and transitions (events, `always`, `after`, `onDone`) with their guards' names.
 *
 * @example
 * ```ts
 * const chart = chartOf(doorMachine);
 * chart.root.states.map((s) => s.id); // ['closed', 'opened']
 * ```
 */
export function chartOf(machine: AnyStateMachine): Chart {
  return { id: String(machine.id), root: stateOf(machine.root as unknown as XStateNode) };
}

function stateOf(node: XStateNode): ChartState {
  const id = node.path.join('.');
  const state: ChartState = {
    id,
    key: node.path.length === 0 ? node.key : node.path[node.path.length - 1],
    type: node.type,
    states: Object.values(node.states).map(stateOf),
    transitions: [],
  };
  const initial = node.initial?.target?.[0];
  if (node.type === 'compound' && initial !== undefined) state.initial = initial.path.join('.');
  for (const [eventType, list] of node.transitions) {
    for (const t of list) state.transitions.push(transitionOf(eventLabel(eventType), t));
  }
  for (const t of node.always ?? []) state.transitions.push(transitionOf('always', t));
  return state;
}

function transitionOf(event: string, t: { target?: XStateNode[]; guard?: unknown }): ChartTransition {
  const out: ChartTransition = { event, targets: (t.target ?? []).map((n) => n.path.join('.')) };
  const guard = guardName(t.guard);
  if (guard !== undefined) out.guard = guard;
  return out;
}

function eventLabel(eventType: string): string {
  if (eventType.startsWith('xstate.after.')) return `after ${eventType.split('.')[2]}ms`;
  if (eventType.startsWith('xstate.done.state.')) return 'done';
  if (eventType.startsWith('xstate.done.actor.')) return 'done (invoke)';
  if (eventType.startsWith('xstate.error.actor.')) return 'error (invoke)';
  return eventType;
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') return guard.name && guard.name !== 'guard' ? guard.name : 'guard';
  const type = (guard as { type?: unknown }).type;
  return typeof type === 'string' ? type : 'guard';
}

/** Every state of the chart, depth first (the root first). */
export function allStates(chart: Chart): ChartState[] {
  const out: ChartState[] = [];
  const walk = (s: ChartState) => {
    out.push(s);
    for (const c of s.states) walk(c);
  };
  walk(chart.root);
  return out;
}

/**
 * The ids of the states active in `value` (an XState state value: `'a'`, `{ a: 'b' }`, or a
 * parallel `{ p: { r1: 'x', r2: 'y' } }`), ancestors included, root excluded.
 *
 * @example
 * ```ts
 * activeStates({ opened: 'ajar' }); // ['opened', 'opened.ajar']
 * ```
 */
export function activeStates(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix === '' ? value : `${prefix}.${value}`];
  if (typeof value !== 'object' || value === null) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const id = prefix === '' ? key : `${prefix}.${key}`;
    out.push(id, ...activeStates(child, id));
  }
  return out;
}

/** A state value in one short line: `'a'`, `'opened.ajar'`, `'p(r1.x, r2.y)'`. */
export function summarize(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [k, v] = entries[0];
      const inner = summarize(v);
      return typeof v === 'object' && v !== null && Object.keys(v).length > 1 ? `${k}(${inner})` : `${k}.${inner}`;
    }
    return entries.map(([k, v]) => `${k}.${summarize(v)}`).join(', ');
  }
  const text = JSON.stringify(value) ?? '';
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
