/**
 * `inspector()`: a local web page showing a live system (and every node that forwards to it) or a
 * recorded trace.
 */
import type { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import { ChartCatalog, isOwnTraffic, recordsOf, stampOf, treeSnapshot } from './capture.js';
import { type Collector, collectInspection } from './collect.js';
import { InspectorModel, type ModelLimits } from './model.js';
import { readTrace } from './recorder.js';
import { startInspectorServer } from './server.js';

/**
 * Options of {@link inspector}: a live `system`, or a `trace` file to replay.
 *
 * @example
 * ```ts
 * await inspector({ system, port: 7500, maxMessages: 20_000 });
 * await inspector({ trace: 'run.trace.jsonl' });
 * ```
 */
export interface InspectorOptions extends ModelLimits {
  /** The system to inspect; nodes that forward to its collector are shown too. */
  system?: ActorSystem;
  /** A trace file (see `recordTrace`) to show instead of a live system. */
  trace?: string;
  /** Nodes to ask for their inspection at once (they must run `allowInspection`). */
  nodes?: string[];
  /** Ask every peer that comes up for its inspection. Default true. */
  followPeers?: boolean;
  /** Port, default 0 (a free one). */
  port?: number;
  /** Interface, default `'127.0.0.1'`; any other needs `token`. */
  host?: string;
  /** A secret every request must carry (`?token=`; it is part of `url`). */
  token?: string;
}

/**
 * A running inspector.
 *
 * @example
 * ```ts
 * const insp = await inspector({ system });
 * console.log(insp.url, insp.model.summary());
 * await insp.close();
 * ```
 */
export interface Inspector {
  /** The page's address (with the token, if any). */
  url: string;
  /** What the page shows. */
  model: InspectorModel;
  /** The collector other nodes forward to, for a live system. */
  collector?: Collector;
  close(): Promise<void>;
}

/**
 * Serves the inspector page on 127.0.0.1: the live actor tree across nodes (supervision shape,
 * status, restarts, mailbox depth), the statechart of the selected actor with its current state
 * highlighted, the message timeline, coordinators' decisions with token use, and dead letters.
 * Memory stays bounded (see {@link ModelLimits}).
 *
 * @example
 * ```ts
 * const { url, close } = await inspector({ system, port: 7500 });
 * console.log(`inspect at ${url}`);
 * await close();
 * ```
 */
export async function inspector(options: InspectorOptions): Promise<Inspector> {
  const { system, trace } = options;
  if ((system === undefined) === (trace === undefined)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'inspector needs either a system or a trace file');
  }
  const model = new InspectorModel(options);
  const subs: { unsubscribe(): void }[] = [];
  let collector: Collector | undefined;
  if (trace !== undefined) {
    for await (const record of readTrace(trace)) model.add(record);
  } else if (system !== undefined) {
    const catalog = new ChartCatalog();
    for (const r of treeSnapshot(system, catalog)) model.add(r);
    const c = collectInspection(system);
    collector = c;
    subs.push(c.feed.subscribe((r) => model.add(r)));
    const follow = options.followPeers ?? true;
    // the local stream straight into the model: messages and state changes skip the record copy
    subs.push(
      system.inspect((event) => {
        if (event.node !== system.node || isOwnTraffic(event)) return;
        const at = stampOf(system);
        if (model.addLive(event, at)) return;
        for (const r of recordsOf(system, event, catalog, at)) model.add(r);
        if (follow && event.type === '@troupe.node' && event.status === 'up' && typeof event.peer === 'string') c.subscribeTo(event.peer);
      }),
    );
    for (const node of options.nodes ?? []) c.subscribeTo(node);
  }
  const server = await startInspectorServer({
    model,
    port: options.port,
    host: options.host,
    token: options.token,
    title: trace ?? `live · ${system?.node}`,
  }).catch(async (err: unknown) => {
    for (const s of subs) s.unsubscribe();
    await collector?.stop();
    throw err;
  });
  return {
    url: server.url,
    model,
    collector,
    async close() {
      for (const s of subs) s.unsubscribe();
      if (collector && !system?.isShutdown) await collector.stop();
      await server.close();
    },
  };
}
