/**
 * The observing side of forwarding: a collector actor that receives forwarders' batches, and the
 * agent a node runs to let observers subscribe to its inspection.
 */
import { type AnyEventObject, fromCallback } from 'xstate';
import { formatAddress } from '../actors/address.js';
import type { ActorRef } from '../actors/ref.js';
import type { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import { INSPECT_PREFIX } from './capture.js';
import { type Forwarding, type ForwardOptions, forwardInspection } from './forward.js';
import type { InspectionFeed, RecordListener } from './records.js';
import { fromUntrusted } from './untrusted.js';

/** The name of the agent {@link allowInspection} starts. */
export const INSPECT_AGENT = INSPECT_PREFIX;

/** Asks a node's inspection agent to forward to `collector`. */
export interface SubscribeEvent {
  type: 'troupe.inspect.subscribe';
  collector: ActorRef;
  maxBuffer?: number;
  batchMs?: number;
}

/**
 * A running collector.
 *
 * @example
 * ```ts
 * const collector = collectInspection(observer);
 * collector.subscribeTo('worker');
 * await collector.stop();
 * ```
 */
export interface Collector {
  readonly ref: ActorRef;
  /** Records received from every node, in arrival order. */
  readonly feed: InspectionFeed;
  /** Asks `node` (which runs {@link allowInspection}) to forward its inspection here. */
  subscribeTo(node: string): void;
  stop(): Promise<void>;
}

let collectors = 0;

/** Most records taken from one batch (a forwarder sends at most `maxBatch`, default 500). */
const MAX_BATCH_RECORDS = 10_000;

/**
 * Starts a collector on the observing node. Forwarders send to `collector.ref`; its `feed` hands
 * their records (untrusted input: checked for shape, shown as text) to listeners.
 *
 * @example
 * ```ts
 * const collector = collectInspection(observer);
 * collector.feed.subscribe((r) => console.log(r.node, r.type));
 * collector.subscribeTo('alpha');
 * ```
 */
export function collectInspection(system: ActorSystem): Collector {
  const listeners = new Set<RecordListener>();
  const logic = fromCallback<AnyEventObject>(({ receive }) => {
    receive((event) => {
      if (event.type !== 'troupe.inspect.batch' || !Array.isArray(event.records)) return;
      const records = event.records as unknown[];
      for (let i = 0; i < Math.min(records.length, MAX_BATCH_RECORDS); i++) {
        // another node's records are untrusted: rebuilt within fixed bounds, or dropped
        const r = fromUntrusted(records[i]);
        if (r === undefined) continue;
        for (const l of listeners) l(r);
      }
    });
  });
  const ref = system.spawn(logic, { name: `${INSPECT_PREFIX}-collector-${++collectors}` });
  return {
    ref,
    feed: {
      subscribe(listener) {
        listeners.add(listener);
        return { unsubscribe: () => listeners.delete(listener) };
      },
    },
    subscribeTo(node) {
      system.ref(formatAddress(node, INSPECT_AGENT)).send({ type: 'troupe.inspect.subscribe', collector: ref });
    },
    stop: () => system.stop(ref),
  };
}

/**
 * Options of {@link allowInspection}: limits every forwarder it starts, and how many observers
 * may subscribe at once.
 *
 * @example
 * ```ts
 * allowInspection(worker, { maxBuffer: 5000, batchMs: 50, maxObservers: 2 });
 * ```
 */
export type AllowInspectionOptions = Omit<ForwardOptions, 'to'> & {
  /** Collectors forwarded to at once; later subscriptions are ignored until one goes down. Default 8. */
  maxObservers?: number;
};

/**
 * Lets observers on other nodes (authenticated cluster members) inspect `system`: starts the
 * `troupe-inspect` agent, which starts a forwarder for each collector that subscribes and stops
 * it when the collector goes down. Until someone subscribes, nothing is observed.
 *
 * @example
 * ```ts
 * const worker = createSystem({ node: 'worker', listen: { port: 7400 }, secret });
 * allowInspection(worker);
 * ```
 */
export function allowInspection(system: ActorSystem, options: AllowInspectionOptions = {}): ActorRef {
  if (system.lookup(INSPECT_AGENT) !== undefined) {
    throw createError('TROUPE_ERR_NAME_TAKEN', `inspection is already allowed on ${system.node}`);
  }
  const { maxObservers = 8, ...forwardOptions } = options;
  if (!(Number.isInteger(maxObservers) && maxObservers > 0))
    throw createError('TROUPE_ERR_INVALID_OPTION', `allowInspection: maxObservers must be a whole number > 0, got ${maxObservers}`);
  const logic = fromCallback<AnyEventObject>(({ receive }) => {
    const running = new Map<string, Forwarding>();
    receive((event) => {
      if (event.type === 'troupe.down') {
        for (const [key, f] of running) if (f.ref.address === event.address) running.delete(key);
        return;
      }
      const collector = (event as { collector?: unknown }).collector as ActorRef | undefined;
      if (typeof collector?.send !== 'function' || typeof collector.address !== 'string') return;
      const current = running.get(collector.address);
      if (event.type === 'troupe.inspect.unsubscribe') {
        running.delete(collector.address);
        void current?.stop();
      } else if (event.type === 'troupe.inspect.subscribe' && current === undefined && running.size < maxObservers) {
        // each forwarder observes every event: a peer must not be able to start them without end
        const forwarding = forwardInspection(system, { ...forwardOptions, to: collector });
        running.set(collector.address, forwarding);
        system.watch(agent, forwarding.ref);
      }
    });
    return () => {
      for (const f of running.values()) void f.stop();
    };
  });
  const agent = system.spawn(logic, { name: INSPECT_AGENT });
  return agent;
}
