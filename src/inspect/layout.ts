/**
 * Lays out a {@link Chart} with elkjs (layered, nested states drawn inside their parents) and
 * returns absolute boxes and polylines: what `toSvg` draws in Node and the inspector's page draws
 * in the browser.
 */
import type { ELK, ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { Chart, ChartState } from './chart.js';

/** A drawn state (or an initial-state dot, `type: 'initial'`), in absolute coordinates. */
export interface LaidState {
  id: string;
  key: string;
  type: ChartState['type'] | 'initial';
  x: number;
  y: number;
  width: number;
  height: number;
  depth: number;
}

/** A drawn transition. */
export interface LaidEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  points: [number, number][];
  labelAt?: [number, number];
}

/** A laid-out chart: states parents before children, then the edges. */
export interface ChartLayout {
  width: number;
  height: number;
  states: LaidState[];
  edges: LaidEdge[];
}

const CHAR_W = 7;
const LABEL_H = 14;
const STATE_H = 32;
const INITIAL = 12;

let elk: ELK | undefined;

/** elkjs (1.5 MB of JavaScript) loads on the first layout, so `import 'troupe'` stays light. */
async function loadElk(): Promise<ELK> {
  // elk.bundled.js is CommonJS: its default import is `module.exports`, whose `default` is the constructor
  const mod = await import('elkjs/lib/elk.bundled.js');
  return new mod.default.default();
}

/**
 * Lays `chart` out. Deterministic: the same chart gives the same layout.
 *
 * @example
 * ```ts
 * const layout = await layoutChart(chartOf(doorMachine));
 * layout.states.find((s) => s.id === 'closed'); // { x, y, width, height, … }
 * ```
 */
export async function layoutChart(chart: Chart): Promise<ChartLayout> {
  elk ??= await loadElk();
  const out = await elk.layout(graphOf(chart));
  const { states, offsets } = placedStates(out, chart);
  return { width: round(out.width ?? 0), height: round(out.height ?? 0), states, edges: placedEdges(out, offsets) };
}

/** The ELK graph of `chart`: nested nodes for states, labelled edges for transitions. */
function graphOf(chart: Chart): ElkNode {
  const edges: ElkExtendedEdge[] = [];
  return {
    id: 'graph',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
      'elk.spacing.edgeLabel': '4',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    // a root with transitions of its own (`on` at the machine's top) is drawn as a box around the states
    children: chart.root.transitions.length > 0 ? [nodeOf(chart.root, edges)] : childrenOf(chart.root, edges),
    edges,
  };
}

/** The laid-out states in absolute coordinates, parents first, and each ELK node's offset. */
function placedStates(out: ElkNode, chart: Chart): { states: LaidState[]; offsets: Map<string, [number, number]> } {
  const states: LaidState[] = [];
  const offsets = new Map<string, [number, number]>([['graph', [0, 0]]]);
  const keys = new Map<string, ChartState>();
  const index = (s: ChartState) => {
    keys.set(`s:${s.id}`, s);
    for (const c of s.states) index(c);
  };
  index(chart.root);
  const place = (node: ElkNode, ox: number, oy: number, depth: number) => {
    for (const child of node.children ?? []) {
      const x = ox + (child.x ?? 0);
      const y = oy + (child.y ?? 0);
      offsets.set(child.id, [x, y]);
      const state = keys.get(child.id);
      states.push({
        id: state ? state.id : child.id.slice(2),
        key: state ? state.key : '',
        type: state ? state.type : 'initial',
        x: round(x),
        y: round(y),
        width: round(child.width ?? 0),
        height: round(child.height ?? 0),
        depth,
      });
      place(child, x, y, depth + 1);
    }
  };
  place(out, 0, 0, 0);
  return { states, offsets };
}

/** The laid-out transitions as absolute polylines, with their labels' positions. */
function placedEdges(out: ElkNode, offsets: Map<string, [number, number]>): LaidEdge[] {
  const laidEdges: LaidEdge[] = [];
  const collect = (node: ElkNode) => {
    for (const e of (node.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
      const [ox, oy] = offsets.get(e.container ?? 'graph') ?? [0, 0];
      const section = e.sections?.[0];
      const points: [number, number][] = [];
      if (section) {
        points.push([round(ox + section.startPoint.x), round(oy + section.startPoint.y)]);
        for (const b of section.bendPoints ?? []) points.push([round(ox + b.x), round(oy + b.y)]);
        points.push([round(ox + section.endPoint.x), round(oy + section.endPoint.y)]);
      }
      const label = e.labels?.[0];
      const laid: LaidEdge = { id: e.id, source: e.sources[0].slice(2), target: e.targets[0].slice(2), label: label?.text ?? '', points };
      if (label) laid.labelAt = [round(ox + (label.x ?? 0)), round(oy + (label.y ?? 0) + LABEL_H - 3)];
      laidEdges.push(laid);
    }
    for (const c of node.children ?? []) collect(c);
  };
  collect(out);
  return laidEdges;
}

function childrenOf(parent: ChartState, edges: ElkExtendedEdge[]): ElkNode[] {
  const nodes: ElkNode[] = [];
  if (parent.initial !== undefined) {
    const dot = `s:${parent.id === '' ? '' : `${parent.id}.`}(initial)`;
    nodes.push({ id: dot, width: INITIAL, height: INITIAL });
    edges.push({ id: `e${edges.length}`, sources: [dot], targets: [`s:${parent.initial}`] });
  }
  for (const s of parent.states) nodes.push(nodeOf(s, edges));
  return nodes;
}

/** The ELK node of one state (its children inside), its transitions pushed to `edges`. */
function nodeOf(s: ChartState, edges: ElkExtendedEdge[]): ElkNode {
  const label = s.key.length * CHAR_W + 24;
  const node: ElkNode =
    s.states.length === 0
      ? { id: `s:${s.id}`, width: Math.max(60, label), height: STATE_H }
      : {
          id: `s:${s.id}`,
          layoutOptions: { 'elk.padding': `[top=${LABEL_H + 16},left=12,bottom=12,right=12]`, 'elk.nodeSize.minimum': `(${label}, 40)` },
          children: childrenOf(s, edges),
        };
  for (const t of s.transitions) {
    const text = t.guard === undefined ? t.event : `${t.event} [${t.guard}]`;
    for (const target of t.targets) {
      edges.push({
        id: `e${edges.length}`,
        sources: [`s:${s.id}`],
        targets: [`s:${target}`],
        labels: [{ text, width: text.length * CHAR_W, height: LABEL_H }],
      });
    }
  }
  return node;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
