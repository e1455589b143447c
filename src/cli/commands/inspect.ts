/**
 * `troupe inspect`: the inspector page for a running cluster, joined as an observer node
 * (`--connect URL --secret S`; the nodes must allow inspection), or for a recorded trace
 * (`--trace FILE`).
 *
 *   troupe inspect --connect ws://10.0.0.5:7400 --secret "$SECRET"
 *   troupe inspect --trace run.trace.jsonl
 */
import type { ActorSystem } from '../../actors/system.js';
import { createSystem } from '../../create-system.js';
import { type Inspector, inspector } from '../../inspect/inspector.js';
import { CliError } from './node.js';

/** Options of {@link startInspect}. */
export interface InspectCommandOptions {
  /** Nodes to join (`ws://` / `wss://` URLs). */
  connect?: string[];
  secret?: string;
  trace?: string;
  /** The observer's node id. Default: `inspector-<random>`. */
  name?: string;
  port?: number;
  host?: string;
  token?: string;
}

/** A started `troupe inspect`. */
export interface StartedInspect {
  url: string;
  /** The nodes joined. */
  nodes: string[];
  inspector: Inspector;
  system?: ActorSystem;
  close(): Promise<void>;
}

/** Joins the cluster (or reads the trace) and starts the page. */
export async function startInspect(options: InspectCommandOptions): Promise<StartedInspect> {
  const connect = options.connect ?? [];
  if ((options.trace === undefined) === (connect.length === 0))
    throw new CliError('give either --connect URL (with --secret) or --trace FILE');
  const web = { port: options.port, host: options.host, token: options.token };
  if (options.trace !== undefined) {
    const found = await inspector({ trace: options.trace, ...web }).catch((err: unknown) => {
      if (err instanceof Error && (err as { code?: unknown }).code === 'ENOENT') throw new CliError(`no such trace file: ${options.trace}`);
      throw err;
    });
    return { url: found.url, nodes: [], inspector: found, close: () => found.close() };
  }
  if (options.secret === undefined) throw new CliError('--connect needs --secret (or TROUPE_SECRET): the cluster authenticates every node');
  const system = createSystem({ node: options.name ?? `inspector-${Math.random().toString(36).slice(2, 8)}`, secret: options.secret });
  try {
    const nodes: string[] = [];
    for (const url of connect) nodes.push(await system.connect(url));
    const found = await inspector({ system, nodes, ...web });
    return {
      url: found.url,
      nodes,
      inspector: found,
      system,
      async close() {
        await found.close();
        await system.shutdown();
      },
    };
  } catch (err) {
    await system.shutdown();
    throw err;
  }
}

/**
 * Runs `troupe inspect` until SIGINT / SIGTERM. The secret and token default to `TROUPE_SECRET`
 * and `TROUPE_INSPECT_TOKEN` (read here, so that `--help` never shows them).
 */
export async function runInspect(options: InspectCommandOptions, print: (line: string) => void = console.log): Promise<void> {
  const started = await startInspect({
    ...options,
    secret: options.secret ?? process.env.TROUPE_SECRET,
    token: options.token ?? process.env.TROUPE_INSPECT_TOKEN,
  });
  if (started.nodes.length) print(`joined ${started.nodes.join(', ')} as ${started.system?.node}`);
  print(`inspector: ${started.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await started.close();
}
