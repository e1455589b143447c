/**
 * Turns a system's inspection stream into trace records: wire-safe events stamped with the
 * system's clock, the charts of machines as their actors spawn, and snapshots of the live tree.
 * Subscribes only while someone listens, so an uninspected system pays nothing.
 */
import { createHash } from 'node:crypto';
import { isOnNode } from '../actors/address.js';
import type { InspectionEvent } from '../actors/inspection.js';
import type { ActorSystem } from '../actors/system.js';
import { realClock } from '../util/clock.js';
import { type Chart, chartOf, isMachine } from './chart.js';
import type { ChartRecord, InspectionFeed, RecordListener, StatsRecord, TraceRecord } from './records.js';
import { toWireEvent, toWireValue } from './wire.js';

/**
 * When an event was seen: ms since the epoch with the wall clock (so that nodes' events merge in
 * order), the simulated time with a test's clock.
 */
export function stampOf(system: ActorSystem): number {
  return system.clock === realClock ? Date.now() : system.clock.now();
}

/** Names of troupe's own inspection actors start with this; their traffic is never captured. */
export const INSPECT_PREFIX = 'troupe-inspect';

/** Charts by content id, computed once per machine object. */
export class ChartCatalog {
  readonly #ids = new WeakMap<object, string>();
  readonly #sent = new Set<string>();

  /** The chart record of `machine` when it was not handed out before, and its id. */
  chartOf(machine: object, node: string, at: number): { id: string; record?: ChartRecord } {
    let id = this.#ids.get(machine);
    let chart: Chart | undefined;
    if (id === undefined) {
      chart = chartOf(machine as Parameters<typeof chartOf>[0]);
      id = createHash('sha256').update(JSON.stringify(chart)).digest('hex').slice(0, 16);
      this.#ids.set(machine, id);
    }
    if (this.#sent.has(id)) return { id };
    this.#sent.add(id);
    chart ??= chartOf(machine as Parameters<typeof chartOf>[0]);
    return { id, record: { type: '@troupe.chart', node, at, id, chart } };
  }
}

/** True for events about troupe's own inspection actors (forwarders, collectors). */
export function isOwnTraffic(event: InspectionEvent): boolean {
  const e = event as { address?: unknown; to?: unknown; recipient?: unknown };
  const where = typeof e.to === 'string' ? e.to : typeof e.address === 'string' ? e.address : e.recipient;
  return typeof where === 'string' && where.includes(`/${INSPECT_PREFIX}`);
}

interface SnapshotLike {
  machine?: unknown;
  value?: unknown;
  context?: unknown;
  status?: unknown;
}

/** The XState snapshot of a local actor (local refs expose `getSnapshot`), if it has one. */
function snapshotOf(system: ActorSystem, address: string): SnapshotLike | undefined {
  const ref = system.lookup(address) as unknown as { getSnapshot?: () => unknown } | undefined;
  try {
    const snapshot = ref?.getSnapshot?.();
    return typeof snapshot === 'object' && snapshot !== null ? (snapshot as SnapshotLike) : undefined;
  } catch {
    return undefined; // native logic (supervisors) has no XState snapshot
  }
}

function machineOf(system: ActorSystem, address: string): object | undefined {
  const machine = snapshotOf(system, address)?.machine;
  return isMachine(machine) ? machine : undefined;
}

/**
 * The records of one live event of `system`: the event, preceded by its machine's chart the
 * first time an actor running that machine spawns.
 */
export function recordsOf(system: ActorSystem, event: InspectionEvent, catalog: ChartCatalog, at: number): TraceRecord[] {
  const wire = toWireEvent(event, at);
  if (event.type === '@troupe.actor' && event.status !== 'stopped' && event.node === system.node) {
    const machine = machineOf(system, event.address);
    if (machine !== undefined) {
      const { id, record } = catalog.chartOf(machine, system.node, at);
      wire.chart = id;
      if (record) return [record, wire];
    }
  }
  return [wire];
}

/**
 * Records describing `system`'s live tree as it is now: each actor as a `spawned` event (with its
 * chart) and, for machines, its current state — what an observer joining late needs.
 */
export function treeSnapshot(system: ActorSystem, catalog: ChartCatalog): TraceRecord[] {
  const at = stampOf(system);
  const out: TraceRecord[] = [];
  for (const a of system.stats().mailboxes) {
    if (a.status === 'stopped' || a.address.includes(`/${INSPECT_PREFIX}`)) continue;
    const slash = a.address.lastIndexOf('/');
    const parent = a.address.slice(0, slash);
    const actor = {
      type: '@troupe.actor' as const,
      node: system.node,
      address: a.address,
      status: 'spawned' as const,
      at,
      ...(isOnNode(parent, system.node) ? { parent } : {}),
    };
    out.push(...recordsOf(system, actor, catalog, at));
    const snapshot = snapshotOf(system, a.address);
    if (snapshot !== undefined) {
      const value = 'value' in snapshot ? snapshot.value : snapshot.context;
      out.push({
        type: '@troupe.state',
        node: system.node,
        address: a.address,
        value: toWireValue(value),
        status: String(snapshot.status),
        at,
      });
    }
  }
  return out;
}

/** Mailbox depths of `system` now. */
export function statsRecord(system: ActorSystem): StatsRecord {
  const s = system.stats();
  const depths: [string, number][] = [];
  for (const m of s.mailboxes) {
    if (m.depth > 0 && depths.length < 1000) depths.push([m.address, m.depth]);
  }
  return { type: '@troupe.stats', node: s.node, at: stampOf(system), actors: s.actors, deadLetters: s.deadLetters, depths };
}

/**
 * The inspection feed of one system: its own events (never those of other nodes relayed to it,
 * nor of troupe's inspection actors) as trace records. The system's stream is observed only while
 * the feed has listeners. `catalog` remembers which charts were handed out already.
 *
 * @example
 * ```ts
 * const sub = captureInspection(system).subscribe((r) => console.log(r.type));
 * ```
 */
export function captureInspection(system: ActorSystem, catalog = new ChartCatalog()): InspectionFeed {
  const listeners = new Set<RecordListener>();
  let sub: { unsubscribe(): void } | undefined;
  const observe = (event: InspectionEvent) => {
    if (event.node !== system.node || isOwnTraffic(event)) return;
    for (const r of recordsOf(system, event, catalog, stampOf(system))) for (const l of listeners) l(r);
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      sub ??= system.inspect(observe);
      return {
        unsubscribe() {
          listeners.delete(listener);
          if (listeners.size === 0) {
            sub?.unsubscribe();
            sub = undefined;
          }
        },
      };
    },
  };
}
