/**
 * What flows from an inspected node to its observers, and what a trace file holds: wire-safe
 * inspection events plus three kinds of records troupe adds around them.
 */
import type { Chart } from './chart.js';
import type { WireEvent } from './wire.js';

/** A machine's chart, sent once per distinct machine before the first actor that runs it. */
export interface ChartRecord {
  type: '@troupe.chart';
  node: string;
  at: number;
  /** Content hash of the chart; actors refer to it by this id. */
  id: string;
  chart: Chart;
}

/** Mailbox depths and counters of a node, sent now and then while forwarding. */
export interface StatsRecord {
  type: '@troupe.stats';
  node: string;
  at: number;
  actors: number;
  deadLetters: number;
  /** `[address, depth]` of the actors with messages waiting (at most 1000). */
  depths: [string, number][];
}

/** Written by the trace recorder at the start and end of a file, and by forwarders when they drop events. */
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

/** One record of an inspection feed or trace file. */
export type TraceRecord = WireEvent | ChartRecord | StatsRecord | MetaRecord;

/** Receives trace records. */
export type RecordListener = (record: TraceRecord) => void;

/** A feed of trace records: one system's (see `captureInspection`), a collector's, or a trace file's. */
export interface InspectionFeed {
  subscribe(listener: RecordListener): { unsubscribe(): void };
}
