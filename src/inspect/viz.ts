/**
 * Machine → diagram text: Mermaid `stateDiagram-v2`, Graphviz DOT, or SVG laid out with elkjs.
 * Labels are escaped for each format, so state and event names cannot break out of them.
 */
import type { AnyStateMachine } from 'xstate';
import { createError } from '../errors.js';
import { activeStates, type Chart, type ChartState, chartOf, isMachine } from './chart.js';
import { type ChartLayout, layoutChart } from './layout.js';

/**
 * A machine, or a chart already read from one.
 *
 * @example
 * ```ts
 * await toSvg(doorMachine);
 * await toSvg(chartOf(doorMachine));
 * ```
 */
export type Drawable = AnyStateMachine | Chart;

function asChart(what: Drawable): Chart {
  if (isMachine(what)) return chartOf(what);
  if (typeof what === 'object' && what !== null && 'root' in what && typeof what.root === 'object') return what as Chart;
  throw createError('TROUPE_ERR_INVALID_OPTION', 'viz needs an XState machine (createMachine / setup().createMachine)');
}

/**
 * Draws a machine as a Mermaid `stateDiagram-v2`: nested states as composite states, parallel
 * regions separated by `--`, `[*]` for initial and final states.
 *
 * @example
 * ```ts
 * console.log(toMermaid(doorMachine));
 * // stateDiagram-v2
 * //   [*] --> closed
 * //   closed --> opened : open
 * ```
 */
export function toMermaid(machine: Drawable): string {
  const chart = asChart(machine);
  const lines = ['stateDiagram-v2'];
  mermaidBody(drawnRoot(chart), lines, '  ');
  return `${lines.join('\n')}\n`;
}

/**
 * What the diagram starts from: the root's states, or — when the root has transitions of its own
 * (`on` at the machine's top) — the root itself as one composite state, so its edges can be drawn.
 */
function drawnRoot(chart: Chart): ChartState {
  if (chart.root.transitions.length === 0) return chart.root;
  return { id: '(machine)', key: chart.id, type: 'compound', states: [chart.root], transitions: [] };
}

function mermaidId(id: string): string {
  return `s_${id.replace(/[^A-Za-z0-9]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
}

function mermaidText(text: string): string {
  return text.replace(/[^A-Za-z0-9 _.\-[\]()]/g, (c) => `#${c.codePointAt(0)};`);
}

function mermaidBody(parent: ChartState, lines: string[], indent: string): void {
  if (parent.initial !== undefined) lines.push(`${indent}[*] --> ${mermaidId(parent.initial)}`);
  parent.states.forEach((s, i) => {
    if (parent.type === 'parallel' && i > 0) lines.push(`${indent}--`);
    const id = mermaidId(s.id);
    if (s.type === 'history') lines.push(`${indent}state "${mermaidText(s.key)} (history)" as ${id}`);
    else if (s.states.length === 0) lines.push(`${indent}state "${mermaidText(s.key)}" as ${id}`);
    else {
      lines.push(`${indent}state "${mermaidText(s.key)}" as ${id} {`);
      mermaidBody(s, lines, `${indent}  `);
      lines.push(`${indent}}`);
    }
    if (s.type === 'final') lines.push(`${indent}${id} --> [*]`);
    for (const t of s.transitions) {
      const label = mermaidText(t.guard === undefined ? t.event : `${t.event} [${t.guard}]`);
      for (const target of t.targets) lines.push(`${indent}${id} --> ${mermaidId(target)} : ${label}`);
    }
  });
}

/**
 * Draws a machine as a Graphviz digraph: compound states as clusters (edges to them end at the
 * cluster's border), final states with a double outline.
 *
 * @example
 * ```ts
 * writeFileSync('door.dot', toDot(doorMachine)); // then: dot -Tpng door.dot
 * ```
 */
export function toDot(machine: Drawable): string {
  const chart = asChart(machine);
  const lines = [`digraph ${dotText(chart.id)} {`, '  compound=true;', '  node [shape=box, style=rounded, fontname="sans-serif"];'];
  lines.push('  edge [fontname="sans-serif", fontsize=10];');
  const edges: string[] = [];
  dotBody(drawnRoot(chart), lines, edges, '  ');
  lines.push(...edges, '}');
  return `${lines.join('\n')}\n`;
}

function dotText(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

function dotNode(s: ChartState): string {
  return dotText(s.states.length === 0 ? s.id : `${s.id}(anchor)`);
}

function dotBody(parent: ChartState, lines: string[], edges: string[], indent: string): void {
  if (parent.initial !== undefined) {
    const dot = dotText(`${parent.id}(initial)`);
    lines.push(`${indent}${dot} [shape=point, width=0.12, label=""];`);
    const initial = parent.states.find((s) => s.id === parent.initial);
    if (initial)
      edges.push(`  ${dot} -> ${dotNode(initial)}${initial.states.length ? ` [lhead=${dotText(`cluster_${initial.id}`)}]` : ''};`);
  }
  const byId = new Map<string, ChartState>();
  const index = (s: ChartState) => {
    byId.set(s.id, s);
    for (const c of s.states) index(c);
  };
  index(parent);
  for (const s of parent.states) {
    if (s.states.length === 0) {
      const shape = s.type === 'final' ? ', peripheries=2' : s.type === 'history' ? ', shape=circle' : '';
      lines.push(`${indent}${dotNode(s)} [label=${dotText(s.type === 'history' ? 'H' : s.key)}${shape}];`);
    } else {
      lines.push(`${indent}subgraph ${dotText(`cluster_${s.id}`)} {`);
      lines.push(`${indent}  label=${dotText(s.type === 'parallel' ? `${s.key} (parallel)` : s.key)};`, `${indent}  style=rounded;`);
      lines.push(`${indent}  ${dotNode(s)} [shape=point, style=invis, width=0.01];`);
      dotBody(s, lines, edges, `${indent}  `);
      lines.push(`${indent}}`);
    }
    for (const t of s.transitions) {
      const label = t.guard === undefined ? t.event : `${t.event} [${t.guard}]`;
      for (const target of t.targets) {
        const attrs = [`label=${dotText(label)}`];
        if (s.states.length) attrs.push(`ltail=${dotText(`cluster_${s.id}`)}`);
        const to = findState(parent, target) ?? byId.get(target);
        if (to?.states.length) attrs.push(`lhead=${dotText(`cluster_${target}`)}`);
        edges.push(`  ${dotNode(s)} -> ${to ? dotNode(to) : dotText(target)} [${attrs.join(', ')}];`);
      }
    }
  }
}

function findState(from: ChartState, id: string): ChartState | undefined {
  if (from.id === id) return from;
  for (const c of from.states) {
    const found = findState(c, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Options of {@link toSvg}.
 *
 * @example
 * ```ts
 * await toSvg(doorMachine, { value: 'opened' }); // the opened state highlighted
 * ```
 */
export interface SvgOptions {
  /** A state value to highlight: its atomic states get `aria-current="true"`. */
  value?: unknown;
}

/**
 * Draws a machine as standalone SVG text, laid out with elkjs. Each state is a `<g>` with
 * `data-state` set to its id; with `value`, the current atomic states carry `aria-current="true"`.
 *
 * @example
 * ```ts
 * writeFileSync('door.svg', await toSvg(doorMachine, { value: 'closed' }));
 * ```
 */
export async function toSvg(machine: Drawable, options: SvgOptions = {}): Promise<string> {
  const chart = asChart(machine);
  return renderSvg(chart, await layoutChart(chart), options.value);
}

/** SVG text for a laid-out chart. */
export function renderSvg(chart: Chart, layout: ChartLayout, value?: unknown): string {
  const active = new Set(value === undefined ? [] : activeStates(value));
  const w = Math.ceil(layout.width);
  const h = Math.ceil(layout.height);
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label=${xmlAttr(`statechart ${chart.id}`)}>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
    '<style>text{font:12px sans-serif;fill:#222}.state rect{fill:#fff;stroke:#667}.state.active rect{fill:#fff4c2;stroke:#b58900;stroke-width:2}.edge{fill:none;stroke:#555}.label{font-size:11px;fill:#444}</style>',
  ];
  for (const s of layout.states) {
    if (s.type === 'initial') {
      out.push(`<circle class="initial" cx="${s.x + s.width / 2}" cy="${s.y + s.height / 2}" r="${s.width / 2}" fill="#333"/>`);
      continue;
    }
    const isActive = active.has(s.id);
    const leaf = !layout.states.some((c) => c.type !== 'initial' && isInside(c.id, s.id));
    const attrs = [`class=${xmlAttr(`state ${s.type}${isActive ? ' active' : ''}`)}`, `data-state=${xmlAttr(s.id)}`];
    if (isActive && leaf) attrs.push('aria-current="true"');
    out.push(`<g ${attrs.join(' ')}>`);
    const dash = s.type === 'parallel' ? ' stroke-dasharray="6 3"' : '';
    out.push(`<rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" rx="8"${dash}/>`);
    if (s.type === 'final') out.push(`<rect x="${s.x + 3}" y="${s.y + 3}" width="${s.width - 6}" height="${s.height - 6}" rx="6"/>`);
    const label = s.type === 'history' ? `${s.key} (H)` : s.key;
    const ty = leaf ? s.y + s.height / 2 + 4 : s.y + 16;
    const tx = leaf ? s.x + s.width / 2 : s.x + 10;
    out.push(`<text x="${tx}" y="${ty}"${leaf ? ' text-anchor="middle"' : ''}>${xmlText(label)}</text>`, '</g>');
  }
  for (const e of layout.edges) {
    if (e.points.length < 2) continue;
    const d = e.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join(' ');
    out.push(`<path class="edge" d="${d}" marker-end="url(#arrow)"/>`);
    if (e.label && e.labelAt) out.push(`<text class="label" x="${e.labelAt[0]}" y="${e.labelAt[1]}">${xmlText(e.label)}</text>`);
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** True when state `id` lies inside state `ancestor` (the root, `''`, holds every other state). */
function isInside(id: string, ancestor: string): boolean {
  return ancestor === '' ? id !== '' : id.startsWith(`${ancestor}.`);
}

/** Characters XML 1.0 forbids (a file holding one is not well-formed), and lone surrogates. */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function xmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function xmlAttr(text: string): string {
  return `"${xmlText(text).replace(/"/g, '&quot;')}"`;
}
