/**
 * Inspection across nodes, built on actor messaging: a forwarder actor on the inspected node
 * batches its trace records into a bounded ring and sends them to a collector actor on the
 * observing node. Opt-in: nothing is observed until a forwarder starts, and it stops when its
 * collector goes down.
 */
import { type AnyEventObject, fromCallback } from 'xstate';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import type { TimerHandle } from '../util/clock.js';
import { ChartCatalog, captureInspection, INSPECT_PREFIX, stampOf, statsRecord, treeSnapshot } from './capture.js';
import type { ChartRecord, TraceRecord } from './records.js';
import { Ring } from './ring.js';

/**
 * The message a forwarder sends to its collector.
 *
 * @example
 * ```ts
 * // what a collector receives from a forwarder
 * const batch: InspectionBatch = { type: 'troupe.inspect.batch', node: 'worker', records: [] };
 * ```
 */
export interface InspectionBatch {
  type: 'troupe.inspect.batch';
  node: string;
  records: TraceRecord[];
}

/**
 * Options of {@link forwardInspection}.
 *
 * @example
 * ```ts
 * forwardInspection(worker, { to: collector.ref, maxBuffer: 10_000, batchMs: 100, statsMs: 1000 });
 * ```
 */
export interface ForwardOptions {
  /** The collector: its ref or address (see `collectInspection`). */
  to: ActorRef | string;
  /** Records held while waiting to be sent; beyond, the oldest are dropped (and counted). Default 10 000. */
  maxBuffer?: number;
  /** How long records wait to be batched, ms. Default 100. */
  batchMs?: number;
  /** Most records per message. Default 500. */
  maxBatch?: number;
  /** How often mailbox depths are sent, ms. Default 1000. */
  statsMs?: number;
}

/**
 * A running forwarder.
 *
 * @example
 * ```ts
 * const forwarding = forwardInspection(worker, { to: collector.ref });
 * forwarding.counts(); // { sent, dropped }
 * await forwarding.stop();
 * ```
 */
export interface Forwarding {
  /** The forwarder actor. */
  readonly ref: ActorRef;
  /** Records sent and dropped so far. */
  counts(): { sent: number; dropped: number };
  /** Stops forwarding (flushing what is buffered). */
  stop(): Promise<void>;
}

let forwarders = 0;

function positive(name: string, value: number | undefined, fallback: number, whole = false): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && value > 0 && Number.isFinite(value) && (!whole || Number.isInteger(value)))) {
    throw createError(
      'TROUPE_ERR_INVALID_OPTION',
      `forwardInspection: ${name} must be a ${whole ? 'whole' : 'finite'} number > 0, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Forwards `system`'s inspection to a collector, usually on another node: first a snapshot of the
 * live actor tree, then every event, in batches. Events are made wire-safe (refs become addresses,
 * big payloads are cut). When more than `maxBuffer` records wait, the oldest are dropped and a
 * `@troupe.trace` `dropped` record says how many. The forwarder stops when the collector goes
 * down or with `stop()`.
 *
 * @example
 * ```ts
 * const forwarding = forwardInspection(worker, { to: 'troupe://observer/troupe-inspect-collector' });
 * await forwarding.stop();
 * ```
 */
export function forwardInspection(system: ActorSystem, options: ForwardOptions): Forwarding {
  const maxBuffer = positive('maxBuffer', options.maxBuffer, 10_000, true);
  const batchMs = positive('batchMs', options.batchMs, 100);
  const maxBatch = positive('maxBatch', options.maxBatch, 500, true);
  const statsMs = positive('statsMs', options.statsMs, 1000);
  const to = typeof options.to === 'string' ? system.ref(options.to) : options.to;
  if (typeof to?.send !== 'function') throw createError('TROUPE_ERR_INVALID_OPTION', 'forwardInspection: `to` must be a ref or an address');
  let sent = 0;
  let dropped = 0;
  let self: ActorRef | undefined;
  const logic = fromCallback<AnyEventObject>(({ receive }) => {
    const ring = new Ring<TraceRecord>(maxBuffer);
    const charts: ChartRecord[] = [];
    const clock = system.clock;
    let timer: TimerHandle | undefined;
    let reported = 0;
    const send = (records: TraceRecord[]) => {
      sent += records.length;
      to.send({ type: 'troupe.inspect.batch', node: system.node, records } satisfies InspectionBatch);
    };
    const flush = () => {
      timer = undefined;
      if (ring.dropped > reported) {
        dropped += ring.dropped - reported;
        ring.push({ type: '@troupe.trace', node: system.node, at: stampOf(system), phase: 'dropped', dropped: ring.dropped - reported });
        reported = ring.dropped;
      }
      const records = [...charts.splice(0), ...ring.drain()];
      for (let i = 0; i < records.length; i += maxBatch) send(records.slice(i, i + maxBatch));
    };
    const catalog = new ChartCatalog();
    const snapshot = treeSnapshot(system, catalog);
    for (let i = 0; i < snapshot.length; i += maxBatch) send(snapshot.slice(i, i + maxBatch));
    const sub = captureInspection(system, catalog).subscribe((record) => {
      if (record.type === '@troupe.chart') charts.push(record);
      else ring.push(record);
      timer ??= clock.setTimeout(flush, batchMs);
    });
    let statsTimer: TimerHandle;
    const tick = () => {
      ring.push(statsRecord(system));
      timer ??= clock.setTimeout(flush, batchMs);
      statsTimer = clock.setTimeout(tick, statsMs);
    };
    statsTimer = clock.setTimeout(tick, statsMs);
    receive((event) => {
      if (event.type === 'troupe.down' && self !== undefined) void system.stop(self);
    });
    return () => {
      sub.unsubscribe();
      clock.clearTimeout(statsTimer);
      if (timer !== undefined) clock.clearTimeout(timer);
      flush();
    };
  });
  const ref = system.spawn(logic, { name: `${INSPECT_PREFIX}-fwd-${++forwarders}` });
  self = ref;
  system.watch(ref, to);
  return {
    ref,
    counts: () => ({ sent, dropped }),
    stop: () => system.stop(ref),
  };
}
