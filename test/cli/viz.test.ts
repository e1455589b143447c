import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runViz } from '../../src/cli/commands/viz.js';
import { createProgram } from '../../src/cli/main.js';

const target = 'test/fixtures/viz-machine.ts#playerMachine';
const golden = (name: string) => readFileSync(new URL(`../inspect/golden/${name}`, import.meta.url), 'utf8');

describe('troupe viz', () => {
  it('prints each format, identical to the library output (golden files)', async () => {
    expect(await runViz({ target, format: 'mermaid' })).toBe(golden('player.mmd'));
    expect(await runViz({ target, format: 'dot' })).toBe(golden('player.dot'));
    const svg = await runViz({ target, format: 'svg', state: '{"ready":{"playback":"playing","volume":"muted"}}' });
    expect(svg).toBe(golden('player.svg'));
  });

  it('highlights a bare state name given with --state', async () => {
    const svg = await runViz({ target, format: 'svg', state: 'idle' });
    expect(svg).toContain('data-state="idle" aria-current="true"');
  });

  it('refuses an unknown format, a missing export and a missing module with one line', async () => {
    await expect(runViz({ target, format: 'png' })).rejects.toThrow('--format must be one of mermaid, dot, svg, got png');
    await expect(runViz({ target: 'test/fixtures/viz-machine.ts#nope', format: 'dot' })).rejects.toThrow(
      'has no machine export named nope (machines: playerMachine)',
    );
    await expect(runViz({ target: 'test/fixtures/missing.ts#x', format: 'dot' })).rejects.toThrow(/cannot load/);
  });

  it('is a command of the program', () => {
    expect(createProgram().commands.map((c) => c.name())).toEqual(expect.arrayContaining(['viz', 'inspect']));
  });
});
