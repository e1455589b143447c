/**
 * Trace files: one JSON record per line, a `@troupe.trace` `start` line first and an `end` (or
 * `full`, when the size limit was reached) line last.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import { ChartCatalog, captureInspection, stampOf, treeSnapshot } from './capture.js';
import type { InspectionFeed, MetaRecord, TraceRecord } from './records.js';
import { fromUntrusted } from './untrusted.js';

/**
 * Options of {@link recordTrace}.
 *
 * @example
 * ```ts
 * recordTrace(system, 'run.trace.jsonl', { maxBytes: 10_000_000 });
 * ```
 */
export interface RecordTraceOptions {
  /** Largest file, bytes; when the next record would not fit, a `full` line ends the file. Default 64 MiB. */
  maxBytes?: number;
}

/**
 * A trace being written.
 *
 * @example
 * ```ts
 * const recording = recordTrace(system, 'run.trace.jsonl');
 * // … run …
 * if (recording.full) console.warn(`trace full after ${recording.events} events`);
 * await recording.close();
 * ```
 */
export interface TraceRecording {
  /** Records written so far. */
  readonly events: number;
  /** Bytes written so far. */
  readonly bytes: number;
  /** True once the size limit was reached (nothing more is written). */
  readonly full: boolean;
  /** Stops recording, writes the last line and closes the file. */
  close(): Promise<void>;
}

const TRACE_VERSION = 1;
/** Room kept for the last line. */
const RESERVE = 256;

/**
 * Records the inspection of a system (its own actors; with a collector's feed, every node's) to
 * `file` as JSON lines, starting with a snapshot of the live tree. Stops at `maxBytes` with a
 * final line saying the file is full. Replay it with `troupe inspect --trace FILE`.
 *
 * @example
 * ```ts
 * const trace = recordTrace(system, 'run.trace.jsonl', { maxBytes: 10_000_000 });
 * // … run …
 * await trace.close();
 * ```
 */
export function recordTrace(source: ActorSystem | InspectionFeed, file: string, options: RecordTraceOptions = {}): TraceRecording {
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  if (!(typeof maxBytes === 'number' && maxBytes > RESERVE * 2 && Number.isFinite(maxBytes))) {
    throw createError(
      'TROUPE_ERR_INVALID_OPTION',
      `recordTrace: maxBytes must be a finite number > ${RESERVE * 2}, got ${String(maxBytes)}`,
    );
  }
  if (typeof file !== 'string' || file === '') throw createError('TROUPE_ERR_INVALID_OPTION', 'recordTrace needs a file path');
  const system = source instanceof ActorSystem ? source : undefined;
  const trace = new TraceFile(file, maxBytes, system?.node ?? 'observer', () => (system ? stampOf(system) : Date.now()));
  let sub: { unsubscribe(): void } | undefined;
  const take = (record: TraceRecord) => {
    if (!trace.take(record)) sub?.unsubscribe();
  };
  let feed: InspectionFeed;
  if (system !== undefined) {
    const catalog = new ChartCatalog();
    for (const r of treeSnapshot(system, catalog)) take(r);
    feed = captureInspection(system, catalog);
  } else feed = source as InspectionFeed;
  if (!trace.full) sub = feed.subscribe(take);
  return {
    get events() {
      return trace.events;
    },
    get bytes() {
      return trace.bytes;
    },
    get full() {
      return trace.full;
    },
    close() {
      sub?.unsubscribe();
      return trace.close();
    },
  };
}

/** One trace file being written: a start line, records while they fit, then an end or full line. */
class TraceFile {
  bytes = 0;
  events = 0;
  full = false;
  readonly #out: ReturnType<typeof createWriteStream>;
  readonly #maxBytes: number;
  readonly #node: string;
  readonly #now: () => number;
  #failure: Error | undefined;
  #closed: Promise<void> | undefined;

  constructor(file: string, maxBytes: number, node: string, now: () => number) {
    this.#out = createWriteStream(file, { flags: 'w' });
    this.#out.on('error', (err) => {
      this.#failure = err;
    });
    this.#maxBytes = maxBytes;
    this.#node = node;
    this.#now = now;
    this.#line(JSON.stringify({ type: '@troupe.trace', node, at: now(), phase: 'start', version: TRACE_VERSION }));
  }

  /** Writes `record` when it fits; false once the file is full (the `full` line written). */
  take(record: TraceRecord): boolean {
    if (this.full || this.#closed) return !this.full;
    const line = JSON.stringify(record);
    if (this.bytes + Buffer.byteLength(line) + 1 > this.#maxBytes - RESERVE) {
      this.full = true;
      this.#meta('full');
      return false;
    }
    this.events++;
    this.#line(line);
    return true;
  }

  /** Writes the last line (unless full) and closes the file. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve, reject) => {
      if (!this.full) this.#meta('end');
      this.#out.end(() => (this.#failure ? reject(this.#failure) : resolve()));
    });
    return this.#closed;
  }

  #meta(phase: MetaRecord['phase']): void {
    const meta: MetaRecord = { type: '@troupe.trace', node: this.#node, at: this.#now(), phase, events: this.events, bytes: this.bytes };
    this.#line(JSON.stringify(meta));
  }

  #line(text: string): void {
    this.bytes += Buffer.byteLength(text) + 1;
    this.#out.write(`${text}\n`);
  }
}

/** Longest line {@link readTrace} reads, characters; longer ones are skipped without being held whole. */
export const MAX_TRACE_LINE = 4 * 1024 * 1024;

/**
 * Reads a trace file record by record. A trace file is untrusted input: lines that are not trace
 * records (or not JSON, or longer than {@link MAX_TRACE_LINE}) are skipped, and records are
 * rebuilt within the bounds of `fromUntrusted`.
 *
 * @example
 * ```ts
 * for await (const record of readTrace('run.trace.jsonl')) console.log(record.type);
 * ```
 */
export async function* readTrace(file: string): AsyncGenerator<TraceRecord> {
  for await (const line of boundedLines(file, MAX_TRACE_LINE)) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const record = fromUntrusted(value);
    if (record !== undefined) yield record;
  }
}

/** The lines of `file`; a line longer than `max` is dropped as it streams by. */
async function* boundedLines(file: string, max: number): AsyncGenerator<string> {
  let parts: string[] = [];
  let length = 0;
  let skipping = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 64 * 1024 })) {
    const text = chunk as string;
    let from = 0;
    for (let nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
      if (!skipping && length + nl - from <= max) {
        parts.push(text.slice(from, nl));
        yield parts.join('').replace(/\r$/, '');
      }
      parts = [];
      length = 0;
      skipping = false;
      from = nl + 1;
    }
    if (skipping) continue;
    length += text.length - from;
    if (length > max) {
      skipping = true;
      parts = [];
    } else parts.push(text.slice(from));
  }
  if (!skipping && length > 0) yield parts.join('');
}
