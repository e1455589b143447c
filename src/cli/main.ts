/**
 * The `troupe` command line: parses arguments and hands off to `cli/commands/*`.
 * Nothing imports this module.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { TroupeError } from '../errors.js';
import { CliError } from './cli-error.js';
import { runDemo } from './commands/demo.js';
import { runInspect } from './commands/inspect.js';
import { runNode } from './commands/node.js';
import { runTour } from './commands/tour.js';
import { runViz } from './commands/viz.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the program; exported for tests. */
export function createProgram(): Command {
  const program = new Command('troupe')
    .description('An actor runtime for TypeScript: XState v5 actors, OTP supervision, WebSocket clusters.')
    .version(version);
  program
    .command('demo')
    .description('audit a source tree with a work queue over two worker node processes, killing one midway')
    .option('--dir <path>', "the tree to audit (default: troupe's own)")
    .option('--nodes <urls>', 'use worker nodes started by hand (comma-separated ws:// URLs)', splitList)
    .option('--inspect', 'serve the inspector and keep running until Ctrl-C')
    .option('--pace <ms>', 'least time per task, so the bars can be watched', parseMs)
    .action(async (o: { dir?: string; nodes?: string[]; inspect?: boolean; pace?: number }) => {
      const outcome = await runDemo({
        ...(o.dir !== undefined ? { dir: o.dir } : {}),
        ...(o.nodes !== undefined ? { nodes: o.nodes } : {}),
        ...(o.pace !== undefined ? { paceMs: o.pace } : {}),
        inspect: o.inspect === true,
      });
      process.exitCode = outcome.lost === 0 ? 0 : 1;
    });
  program
    .command('tour')
    .description('a tour of the runtime in one process: tell, ask, gather, a supervised crash, overflow, a stream, stats')
    .action(async () => {
      await runTour();
    });
  program
    .command('node')
    .description('start a node that hosts the actor logic a module exports, for other nodes to spawnOn')
    .requiredOption('--logic <module>', 'module whose named exports are hosted (e.g. ./workers.ts)')
    .option('--port <port>', 'port to listen on (0: any free port); omit to only dial out', parsePort)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    // read from the environment when the command runs: a default would print the secret in --help
    .option('--secret <secret>', 'shared secret of the cluster (or TROUPE_SECRET)')
    .option('--name <id>', 'node id (default: random)')
    .option('--export <names>', 'host only these exports (comma-separated)', splitList)
    .option('--connect <urls>', 'nodes to dial once started (comma-separated ws:// URLs)', splitList)
    .option('--allow-inspection', 'let an inspector on another node watch this one')
    .action(
      async (o: {
        logic: string;
        port?: number;
        host: string;
        secret?: string;
        name?: string;
        export?: string[];
        connect?: string[];
        allowInspection?: boolean;
      }) => {
        await runNode({
          logic: o.logic,
          host: o.host,
          ...(o.port !== undefined ? { port: o.port } : {}),
          ...((o.secret ?? process.env.TROUPE_SECRET) !== undefined ? { secret: o.secret ?? process.env.TROUPE_SECRET } : {}),
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.export !== undefined ? { exports: o.export } : {}),
          ...(o.connect !== undefined ? { connect: o.connect } : {}),
          allowInspection: o.allowInspection === true,
        });
      },
    );
  program
    .command('inspect')
    .description('serve the inspector page for a running cluster (joined as an observer node) or a recorded trace')
    .option('--connect <urls>', 'nodes to join (comma-separated ws:// URLs); they must allow inspection', splitList)
    // secrets come from the environment in runInspect, not as defaults: --help would print them
    .option('--secret <secret>', 'shared secret of the cluster (or TROUPE_SECRET)')
    .option('--trace <file>', 'replay a trace file written by recordTrace')
    .option('--name <id>', "the observer's node id")
    .option('--port <port>', 'port of the page (default: any free port)', parsePort)
    .option('--host <host>', 'address of the page; beyond loopback it needs --token', '127.0.0.1')
    .option('--token <token>', 'a secret the page and its API require (or TROUPE_INSPECT_TOKEN)')
    .action(
      async (o: { connect?: string[]; secret?: string; trace?: string; name?: string; port?: number; host: string; token?: string }) => {
        await runInspect(o);
      },
    );
  program
    .command('viz')
    .description('draw the machine a module exports: troupe viz ./machines.ts#door --format svg')
    .argument('<target>', 'module#export')
    .option('--format <format>', 'mermaid | dot | svg', 'mermaid')
    .option('--state <value>', 'a state value (JSON or a state name) to highlight in the SVG')
    .action(async (target: string, o: { format: string; state?: string }) => {
      process.stdout.write(await runViz({ target, ...o }));
    });
  return program;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer 0–65535, got ${value}`);
  return port;
}

function parseMs(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 5000) throw new CliError(`--pace must be an integer 0–5000, got ${value}`);
  return ms;
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  createProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      // a CLI or troupe error is one line for a person; anything else is a bug worth its stack
      console.error(err instanceof CliError || err instanceof TroupeError ? `troupe: ${err.message}` : err);
      process.exitCode = 1;
    });
}
