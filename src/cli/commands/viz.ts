/**
 * `troupe viz <module>#<export> --format mermaid|dot|svg`: draws a machine a module exports.
 *
 *   troupe viz ./src/machines.ts#doorMachine --format svg > door.svg
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMachine } from '../../inspect/chart.js';
import { toDot, toMermaid, toSvg } from '../../inspect/viz.js';
import { CliError } from './node.js';

/** The formats `troupe viz` writes. */
export const VIZ_FORMATS = ['mermaid', 'dot', 'svg'] as const;
export type VizFormat = (typeof VIZ_FORMATS)[number];

/** Options of {@link runViz}. */
export interface VizCommandOptions {
  /** `path/to/module.ts#exportName` (`#default` when no `#`). */
  target: string;
  format: string;
  /** A state value (JSON) to highlight in the SVG. */
  state?: string;
}

/** Loads the machine and returns the diagram text. */
export async function runViz(options: VizCommandOptions): Promise<string> {
  if (!(VIZ_FORMATS as readonly string[]).includes(options.format)) {
    throw new CliError(`--format must be one of ${VIZ_FORMATS.join(', ')}, got ${options.format}`);
  }
  const hash = options.target.lastIndexOf('#');
  const file = hash < 0 ? options.target : options.target.slice(0, hash);
  const name = hash < 0 ? 'default' : options.target.slice(hash + 1);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (err) {
    throw new CliError(`cannot load ${file}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  const machine = mod[name];
  if (!isMachine(machine)) {
    const machines = Object.keys(mod).filter((k) => isMachine(mod[k]));
    throw new CliError(`${file} has no machine export named ${name}${machines.length ? ` (machines: ${machines.join(', ')})` : ''}`);
  }
  if (options.format === 'mermaid') return toMermaid(machine);
  if (options.format === 'dot') return toDot(machine);
  let value: unknown;
  if (options.state !== undefined) {
    try {
      value = JSON.parse(options.state);
    } catch {
      value = options.state; // a bare state name
    }
  }
  return toSvg(machine, { value });
}
