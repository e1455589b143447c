/**
 * Records that come from elsewhere (another node's forwarder, a trace file) are untrusted input:
 * of any shape, size and depth. {@link fromUntrusted} checks their shape and rebuilds them within
 * fixed bounds, so that what the inspector keeps per record stays small whatever was sent.
 */
import type { Chart, ChartState, ChartTransition } from './chart.js';
import type { ChartRecord, StatsRecord, TraceRecord } from './records.js';
import { toWireValue, type WireLimits } from './wire.js';

/** The bounds every untrusted record is rebuilt within. */
export const UNTRUSTED_LIMITS = {
  /** Longest record kept whole (JSON characters); beyond, its nested fields are cut. */
  maxRecordChars: 32 * 1024,
  /** States of one chart; a bigger chart is dropped. */
  maxChartStates: 500,
  /** Transitions of one state. */
  maxTransitions: 100,
  /** Transitions of one chart in all (its layout's cost grows with them); a chart with more is dropped. */
  maxChartTransitions: 1000,
  /** Nesting of chart states. */
  maxChartDepth: 20,
  /** Longest string in a chart. */
  maxChartString: 200,
  /** Mailbox depths of one stats record. */
  maxDepths: 1000,
} as const;

// one level more than a forwarder uses: a message's payload sits one level down in its record
const wireLimits: WireLimits = { maxString: 500, maxDepth: 7, maxItems: 50 };

/** True for a record of a plausible shape: a `@troupe.*` type, a node and a finite time. */
export function isTraceRecord(value: unknown): value is TraceRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { type?: unknown; node?: unknown; at?: unknown };
  return (
    typeof r.type === 'string' &&
    r.type.startsWith('@troupe.') &&
    r.type.length <= 100 &&
    typeof r.node === 'string' &&
    r.node.length > 0 &&
    r.node.length <= 200 &&
    typeof r.at === 'number' &&
    Number.isFinite(r.at)
  );
}

/**
 * A bounded copy of an untrusted record, or `undefined` when it is not a trace record (or is a
 * chart too big or malformed to draw).
 *
 * @example
 * ```ts
 * const record = fromUntrusted(JSON.parse(line));
 * if (record !== undefined) model.add(record);
 * ```
 */
export function fromUntrusted(value: unknown): TraceRecord | undefined {
  if (!isTraceRecord(value)) return undefined;
  if (value.type === '@troupe.chart') return chartRecord(value);
  if (value.type === '@troupe.stats') return statsRecord(value);
  const safe = toWireValue(value, wireLimits) as Record<string, unknown>;
  if (JSON.stringify(safe).length <= UNTRUSTED_LIMITS.maxRecordChars) return safe as unknown as TraceRecord;
  // too big whole: keep the scalar fields (each already short), say what was cut
  const cut: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(safe)) {
    cut[key] = typeof v === 'object' && v !== null ? `[cut: ${JSON.stringify(v).length} characters]` : v;
  }
  return cut as unknown as TraceRecord;
}

function statsRecord(value: StatsRecord): StatsRecord {
  const depths: [string, number][] = [];
  for (const entry of Array.isArray(value.depths) ? (value.depths as unknown[]) : []) {
    if (depths.length === UNTRUSTED_LIMITS.maxDepths) break;
    if (!Array.isArray(entry)) continue;
    const [address, depth] = entry as unknown[];
    if (typeof address === 'string' && address.length <= 500 && typeof depth === 'number' && Number.isFinite(depth))
      depths.push([address, depth]);
  }
  return {
    type: '@troupe.stats',
    node: value.node,
    at: value.at,
    actors: finite(value.actors),
    deadLetters: finite(value.deadLetters),
    depths,
  };
}

function chartRecord(value: ChartRecord): ChartRecord | undefined {
  if (typeof value.id !== 'string' || value.id.length > 100 || typeof value.chart !== 'object' || value.chart === null) return undefined;
  const budget = { states: UNTRUSTED_LIMITS.maxChartStates, transitions: UNTRUSTED_LIMITS.maxChartTransitions };
  const root = chartState((value.chart as { root?: unknown }).root, 0, budget);
  if (root === undefined) return undefined;
  const chart: Chart = { id: short((value.chart as { id?: unknown }).id), root };
  return { type: '@troupe.chart', node: value.node, at: value.at, id: value.id, chart };
}

const STATE_TYPES = new Set<string>(['atomic', 'compound', 'parallel', 'final', 'history']);

function chartState(value: unknown, depth: number, budget: { states: number; transitions: number }): ChartState | undefined {
  if (typeof value !== 'object' || value === null || depth > UNTRUSTED_LIMITS.maxChartDepth || --budget.states < 0) return undefined;
  const s = value as Record<string, unknown>;
  if (typeof s.id !== 'string' || typeof s.key !== 'string' || !STATE_TYPES.has(s.type as string)) return undefined;
  if (!Array.isArray(s.states) || !Array.isArray(s.transitions)) return undefined;
  const states: ChartState[] = [];
  for (const child of s.states as unknown[]) {
    const c = chartState(child, depth + 1, budget);
    if (c === undefined) return undefined;
    states.push(c);
  }
  const transitions = (s.transitions as unknown[]).slice(0, UNTRUSTED_LIMITS.maxTransitions).flatMap(transition);
  budget.transitions -= transitions.reduce((n, t) => n + Math.max(1, t.targets.length), 0);
  if (budget.transitions < 0) return undefined;
  const state: ChartState = { id: short(s.id), key: short(s.key), type: s.type as ChartState['type'], states, transitions };
  if (typeof s.initial === 'string') state.initial = short(s.initial);
  return state;
}

function transition(value: unknown): ChartTransition[] {
  if (typeof value !== 'object' || value === null) return [];
  const t = value as Record<string, unknown>;
  if (typeof t.event !== 'string' || !Array.isArray(t.targets)) return [];
  const out: ChartTransition = {
    event: short(t.event),
    targets: (t.targets as unknown[])
      .filter((x): x is string => typeof x === 'string')
      .slice(0, 20)
      .map(short),
  };
  if (typeof t.guard === 'string') out.guard = short(t.guard);
  return [out];
}

function short(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  return s.length > UNTRUSTED_LIMITS.maxChartString ? `${s.slice(0, UNTRUSTED_LIMITS.maxChartString)}…` : s;
}

function finite(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
