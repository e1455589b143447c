/**
 * The `troupe` command line: parses arguments and hands off to `cli/commands/*`.
 * Nothing imports this module.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runDemo } from './commands/demo.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Builds the program; exported for tests. */
export function createProgram(): Command {
  const program = new Command('troupe')
    .description('An actor runtime for TypeScript: XState v5 actors, OTP supervision, WebSocket clusters.')
    .version(version);
  program
    .command('demo')
    .description('run the in-process showcase: tell, ask, gather, a supervised crash, overflow, a stream, stats')
    .action(async () => {
      await runDemo();
    });
  return program;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  createProgram()
    .parseAsync(process.argv)
    .catch((err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    });
}
