/**
 * What flows from an inspected node to its observers, and what a trace file holds: wire-safe
 * inspection events plus three kinds of records troupe adds around them.
 */
import type { Chart } from './chart.js';
import type { WireEvent } from './wire.js';

/**
 * A machine's chart, sent once per distinct machine before the first actor that runs it.
 *
 * @example
 * ```ts
 * for await (const r of readTrace(file)) if (r.type === '@troupe.chart') console.log(r.id, r.chart.id);
 * ```
 */
export interface ChartRecord {
  type: '@troupe.chart';
  node: string;
  at: number;
  /** Content hash of the chart; actors refer to it by this id. */
  id: string;
  chart: Chart;
}

/**
 * Mailbox depths and counters of a node, sent now and then while forwarding.
 *
 * @example
 * ```ts
 * collector.feed.subscribe((r) => {
 *   if (r.type === '@troupe.stats') for (const [address, depth] of r.depths) console.log(address, depth);
 * });
 * ```
 */
export interface StatsRecord {
  type: '@troupe.stats';
  node: string;
  at: number;
  actors: number;
  deadLetters: number;
  /** `[address, depth]` of the actors with messages waiting (at most 1000). */
  depths: [string, number][];
}

/**
 * Written by the trace recorder at the start and end of a file, and by forwarders when they drop events.
 *
 * @example
 * ```ts
 * for await (const r of readTrace(file)) if (r.type === '@troupe.trace' && r.phase === 'full') console.warn('trace cut short');
 * ```
 */
export interface MetaRecord {
  type: '@troupe.trace';
  node: string;
  at: number;
  /** `'start'`, `'end'`, `'full'` (size limit reached: nothing more is written) or `'dropped'`. */
  phase: 'start' | 'end' | 'full' | 'dropped';
  version?: number;
  /** Events recorded (end, full) or dropped since the last report (dropped). */
  events?: number;
  dropped?: number;
  bytes?: number;
}

/**
 * One record of an inspection feed or trace file.
 *
 * @example
 * ```ts
 * const counts = new Map<string, number>();
 * for await (const r of readTrace(file)) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
 * ```
 */
export type TraceRecord = WireEvent | ChartRecord | StatsRecord | MetaRecord;

/**
 * Receives trace records.
 *
 * @example
 * ```ts
 * const listener: RecordListener = (r) => console.log(r.node, r.type);
 * collector.feed.subscribe(listener);
 * ```
 */
export type RecordListener = (record: TraceRecord) => void;

/**
 * A feed of trace records: one system's (see `captureInspection`), a collector's, or a trace file's.
 *
 * @example
 * ```ts
 * const feed: InspectionFeed = captureInspection(system);
 * const sub = feed.subscribe((r) => console.log(r.type));
 * sub.unsubscribe();
 * ```
 */
export interface InspectionFeed {
  subscribe(listener: RecordListener): { unsubscribe(): void };
}
