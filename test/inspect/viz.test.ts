import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { activeStates, type Chart, type ChartState, chartOf } from '../../src/inspect/chart.js';
import { toDot, toMermaid, toSvg } from '../../src/inspect/viz.js';
import { playerMachine } from '../fixtures/viz-machine.js';

const playing = { ready: { playback: 'playing', volume: 'muted' } };

describe('viz', () => {
  describe('#toMermaid', () => {
    it('draws nested, parallel, final and history states (golden)', async () => {
      await expect(toMermaid(playerMachine)).toMatchFileSnapshot('./golden/player.mmd');
    });

    it('escapes labels so names cannot break the diagram', () => {
      const m = createMachine({ id: 'x', initial: 'a', states: { a: { on: { 'go"}\n--> evil': 'b' } }, b: {} } });
      const text = toMermaid(m);
      expect(text).not.toContain('}\n-->');
      expect(text).toContain('#34;');
    });
  });

  describe('#toDot', () => {
    it('draws compound states as clusters (golden)', async () => {
      await expect(toDot(playerMachine)).toMatchFileSnapshot('./golden/player.dot');
    });

    it('escapes quotes and backslashes in labels', () => {
      const m = createMachine({ id: 'q"\\', initial: 'a', states: { a: {} } });
      expect(toDot(m).split('\n')[0]).toBe('digraph "q\\"\\\\" {');
    });
  });

  describe('#toSvg', () => {
    it('lays the chart out with elkjs and marks the current atomic states (golden)', async () => {
      const svg = await toSvg(playerMachine, { value: playing });
      await expect(svg).toMatchFileSnapshot('./golden/player.svg');
      const current = [...svg.matchAll(/data-state="([^"]+)" aria-current="true"/g)].map((m) => m[1]);
      expect(current.sort()).toEqual(['ready.playback.playing', 'ready.volume.muted']);
    });

    it('escapes text', async () => {
      const m = createMachine({ id: 'x', initial: 'a', states: { a: { on: { '<img src=x onerror=alert(1)>': 'b' } }, b: {} } });
      const svg = await toSvg(m);
      expect(svg).not.toContain('<img');
      expect(svg).toContain('&lt;img src=x onerror=alert(1)&gt;');
    });

    it('keeps a hostile chart (e.g. from a trace) inside its attributes, and strips characters XML forbids', async () => {
      const chart: Chart = {
        id: 'x',
        root: {
          id: '',
          key: 'x',
          type: 'compound',
          initial: 'a',
          transitions: [],
          states: [
            {
              id: 'a',
              key: 'bell\u0007</text><script>alert(1)</script>',
              type: 'atomic" onmouseover="alert(1)' as ChartState['type'],
              states: [],
              transitions: [],
            },
          ],
        },
      };
      const svg = await toSvg(chart, { value: 'a' });
      expect(svg).not.toContain('onmouseover="');
      expect(svg).not.toContain('<script');
      expect(svg).not.toContain('\u0007');
      expect(svg).toContain('class="state atomic&quot; onmouseover=&quot;alert(1) active"');
      expect(svg).toContain('aria-current="true"');
      // a Chart is drawable in every format (it was once taken for a machine)
      expect(toMermaid(chart)).toContain('state "bell#7;#60;#47;text#62;#60;script#62;alert(1)#60;#47;script#62;" as s_a');
      expect(toDot(chart)).toContain('digraph "x"');
    });

    it('draws a machine whose root has transitions of its own as a box around its states', async () => {
      const m = createMachine({ id: 'phases', initial: 'a', on: { go: { target: '.b' } }, states: { a: {}, b: {} } });
      const svg = await toSvg(m, { value: 'b' });
      expect(svg).toContain('<g class="state compound" data-state="">');
      expect(svg).toContain('>phases</text>');
      expect(svg).toContain('>go</text>');
      expect(svg).toContain('data-state="b" aria-current="true"');
      expect(svg).not.toContain('data-state="" aria-current');
    });

    it('draws root transitions in Mermaid and DOT too', () => {
      const m = createMachine({ id: 'phases', initial: 'a', on: { go: { target: '.b' } }, states: { a: {}, b: {} } });
      expect(toMermaid(m)).toContain('s_ --> s_b : go');
      expect(toDot(m)).toContain('"(anchor)" -> "b" [label="go", ltail="cluster_"];');
    });

    it('refuses what is not a machine', async () => {
      await expect(toSvg({} as never)).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    });
  });
});

describe('chart', () => {
  it('reads ids, types, initial states, guards and delays', () => {
    const chart = chartOf(playerMachine);
    expect(chart.root.initial).toBe('idle');
    const loading = chart.root.states.find((s) => s.id === 'loading');
    expect(loading?.transitions).toEqual([
      { event: 'loaded', targets: ['ready'], guard: 'hasMedia' },
      { event: 'failed', targets: ['broken'] },
      { event: 'after 5000ms', targets: ['broken'] },
    ]);
    expect(chart.root.states.find((s) => s.id === 'ready')?.type).toBe('parallel');
  });

  it('lists active states from a state value', () => {
    expect(activeStates(playing)).toEqual(['ready', 'ready.playback', 'ready.playback.playing', 'ready.volume', 'ready.volume.muted']);
    expect(activeStates('idle')).toEqual(['idle']);
  });
});
