/**
 * `troupe node`: a node that hosts the actor logic a module exports, for other nodes to `spawnOn`.
 *
 *   troupe node --port 7401 --secret "$SECRET" --logic ./workers.ts --name worker-1
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActorSystem } from '../../actors/system.js';
import { createSystem } from '../../create-system.js';
import { TroupeError } from '../../errors.js';
import { allowInspection } from '../../inspect/collect.js';
import { isNativeLogic, type SpawnableLogic } from '../../internal.js';
import { CliError } from '../cli-error.js';
import { DEMO_WORKERS } from '../demo/paths.js';

// the inspector's and viz's commands import CliError from here
export { CliError };

/** Options of {@link startNode}. */
export interface NodeCommandOptions {
  /** Path of the module whose named exports are hosted (resolved from the working directory); `demo`: the demo's workers. */
  logic: string;
  /** Only these exports (default: every export that is actor logic). */
  exports?: string[];
  /** Node id. Default: a random one. */
  name?: string;
  /** Port to listen on; omit to only dial out with `connect`. */
  port?: number;
  host?: string;
  secret?: string;
  /** URLs of nodes to dial once started. */
  connect?: string[];
  /** Let an inspector on another node subscribe to this node's inspection (`allowInspection`). */
  allowInspection?: boolean;
}

/** A started node: its system, what it hosts, and where it listens. */
export interface StartedNode {
  system: ActorSystem;
  hosted: string[];
  url: string | undefined;
}

function isLogic(value: unknown): value is SpawnableLogic {
  return (
    isNativeLogic(value) ||
    (typeof value === 'object' && value !== null && typeof (value as { transition?: unknown }).transition === 'function')
  );
}

/** Loads the module, picks its logic exports and starts the node. */
export async function startNode(options: NodeCommandOptions): Promise<StartedNode> {
  const path = options.logic === 'demo' ? DEMO_WORKERS : resolve(options.logic);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`cannot load --logic ${options.logic}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const logic: Record<string, SpawnableLogic> = {};
  for (const [name, value] of Object.entries(mod)) {
    if (options.exports !== undefined && !options.exports.includes(name)) continue;
    if (isLogic(value)) logic[name] = value;
  }
  for (const wanted of options.exports ?? []) {
    if (!(wanted in logic)) throw new CliError(`${options.logic} has no actor logic exported as '${wanted}'`);
  }
  const hosted = Object.keys(logic).sort();
  if (hosted.length === 0) throw new CliError(`${options.logic} exports no actor logic (machines, fromPromise, defineWorker, …)`);
  let system: ActorSystem;
  try {
    system = createSystem({
      ...(options.name !== undefined ? { node: options.name } : {}),
      ...(options.port !== undefined ? { listen: { port: options.port, host: options.host ?? '127.0.0.1' } } : {}),
      ...(options.secret !== undefined ? { secret: options.secret } : {}),
      logic,
    });
    await system.ready;
  } catch (err) {
    throw new CliError(err instanceof TroupeError ? `${err.code}: ${err.message}` : String(err));
  }
  if (options.allowInspection === true) allowInspection(system);
  for (const url of options.connect ?? []) {
    try {
      await system.connect(url);
    } catch (err) {
      await system.shutdown();
      throw new CliError(`cannot connect to ${url}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  const at = system.listenAddress;
  const url = at === undefined ? undefined : `ws://${at.host}:${at.port}`;
  return { system, hosted, url };
}

/** Runs `troupe node` until SIGINT or SIGTERM. */
export async function runNode(options: NodeCommandOptions, print: (line: string) => void = (l) => console.log(l)): Promise<void> {
  const { system, hosted, url } = await startNode(options);
  print(`troupe node ${system.node}${url === undefined ? '' : ` listening on ${url}`} hosting ${hosted.join(', ')}`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      system.shutdown().then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
