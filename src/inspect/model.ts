/**
 * The inspector's memory: what the page can ask for, kept within fixed bounds (rings of messages,
 * decisions, dead letters and log lines; a capped actor table that forgets stopped actors first).
 */
import { isOnNode, SCHEME } from '../actors/address.js';
import type { InspectionEvent } from '../actors/inspection.js';
import { createError } from '../errors.js';
import { type Chart, summarize } from './chart.js';
import type { TraceRecord } from './records.js';
import { Ring } from './ring.js';
import { type MessageRow, MessageTimeline, type Page, type StoredMessage } from './timeline.js';
import { isCompactValue, toWireEvent, toWireValue, type WireEvent } from './wire.js';

/**
 * Bounds of an {@link InspectorModel}.
 *
 * @example
 * ```ts
 * await inspector({ system, maxMessages: 10_000, maxActors: 5000, maxLog: 1000, maxNodes: 50 });
 * ```
 */
export interface ModelLimits {
  /** Messages kept. Default 100 000. */
  maxMessages?: number;
  /** Actors kept (live ones first). Default 50 000. */
  maxActors?: number;
  /** Stopped actors kept in the tree. Default 1000. */
  maxStopped?: number;
  /** Decisions, LLM calls, dead letters and log lines kept, each. Default 10 000. */
  maxLog?: number;
  /** Nodes shown; records naming yet another node are dropped (and counted). Default 1000. */
  maxNodes?: number;
}

interface Actor {
  address: string;
  node: string;
  name: string;
  parent: string;
  status: 'running' | 'stopped';
  restarts: number;
  mailbox: number;
  chart?: string;
  value?: unknown;
  reason?: unknown;
  children: Set<string>;
}

/** A row of the tree view. */
export interface TreeRow {
  address: string;
  name: string;
  node: string;
  depth: number;
  kind: 'node' | 'actor';
  status: string;
  restarts: number;
  mailbox: number;
  children: number;
  chart?: string;
  state?: string;
}

type LogRow = { seq: number } & WireEvent;

const ROOT = '';
const LIMIT_NAMES = new Set(['maxMessages', 'maxActors', 'maxStopped', 'maxLog', 'maxNodes']);

/** Holds what the inspector shows, from trace records of any number of nodes. */
export class InspectorModel {
  /** Bumped on every change, so that the page knows when to refresh. */
  version = 0;
  /** Charts by `<node> <chart id>` (what an actor's `chart` holds). */
  readonly charts = new Map<string, Chart>();
  readonly messages: MessageTimeline;
  readonly decisions: Ring<LogRow>;
  readonly llm: Ring<LogRow>;
  readonly deadLetters: Ring<LogRow>;
  readonly log: Ring<LogRow>;
  /** Actors not added because the table was full. */
  actorsOmitted = 0;
  /** Records dropped because they named a node beyond `maxNodes`. */
  recordsOmitted = 0;
  readonly #actors = new Map<string, Actor>();
  readonly #nodes = new Map<string, { status: string; at: number }>();
  readonly #stopped: string[] = [];
  /** Per node, the actors its last stats record gave a mailbox depth. */
  readonly #waiting = new Map<string, string[]>();
  #lastNode = '';
  readonly #maxActors: number;
  readonly #maxStopped: number;
  readonly #maxNodes: number;
  #seq = 0;
  #inputTokens = 0;
  #outputTokens = 0;
  #treeCache: { version: number; rows: TreeRow[] } | undefined;

  constructor(limits: ModelLimits = {}) {
    for (const [name, value] of Object.entries(limits)) {
      if (!LIMIT_NAMES.has(name) || value === undefined) continue;
      if (!(Number.isInteger(value) && value > 0 && value <= 10_000_000))
        throw createError('TROUPE_ERR_INVALID_OPTION', `inspector: ${name} must be a whole number 1..10 000 000, got ${String(value)}`);
    }
    this.messages = new MessageTimeline(limits.maxMessages ?? 100_000);
    const maxLog = limits.maxLog ?? 10_000;
    this.decisions = new Ring(maxLog);
    this.llm = new Ring(maxLog);
    this.deadLetters = new Ring(maxLog);
    this.log = new Ring(maxLog);
    this.#maxActors = limits.maxActors ?? 50_000;
    this.#maxStopped = limits.maxStopped ?? 1000;
    this.#maxNodes = limits.maxNodes ?? 1000;
  }

  get actorCount(): number {
    return this.#actors.size;
  }

  /** Takes in one record. Records of unknown shape, or about another node's actors, are ignored. */
  add(record: TraceRecord): void {
    if (record.node !== this.#lastNode) {
      // forwarded records are untrusted: a flood of made-up node names must not grow the table
      if (!this.#nodes.has(record.node) && this.#nodes.size >= this.#maxNodes) {
        this.recordsOmitted++;
        return;
      }
      this.#lastNode = record.node;
      this.#node(record.node, 'up', record.at);
    }
    this.version++;
    switch (record.type) {
      case '@troupe.chart':
        // keyed by node too: one node's chart can never stand in for another's
        if (this.charts.size < 1000 && typeof record.chart?.root === 'object') this.charts.set(`${record.node} ${record.id}`, record.chart);
        return;
      case '@troupe.actor':
        this.#actor(record);
        return;
      case '@troupe.state': {
        const a = this.#actors.get(record.address);
        if (a && a.node === record.node) a.value = record.value;
        return;
      }
      case '@troupe.message':
        this.messages.push(record, record.at);
        return;
      case '@troupe.stats':
        this.#stats(record);
        return;
      case '@troupe.decision':
        this.decisions.push({ seq: ++this.#seq, ...record });
        return;
      case '@troupe.llm':
        this.#inputTokens += Number(record.inputTokens) || 0;
        this.#outputTokens += Number(record.outputTokens) || 0;
        this.llm.push({ seq: ++this.#seq, ...record });
        return;
      case '@troupe.deadletter':
        this.deadLetters.push({ seq: ++this.#seq, ...record });
        return;
      case '@troupe.node':
        if (typeof record.peer === 'string' && (record.status === 'up' || record.status === 'down'))
          if (this.#nodes.has(record.peer) || this.#nodes.size < this.#maxNodes) this.#node(record.peer, record.status, record.at, true);
        this.log.push({ seq: ++this.#seq, ...record });
        return;
      case '@troupe.trace':
        return;
      default:
        this.log.push({ seq: ++this.#seq, ...(record as WireEvent) });
    }
  }

  /**
   * Takes in a live event of the local system. Messages and state changes, two per message sent,
   * skip the trace-record copy: a small plain payload is kept as it is (events are immutable once
   * sent), anything else as its wire-safe copy. Returns false for other events, which the caller
   * hands to {@link InspectorModel.add} as records.
   */
  addLive(event: InspectionEvent, at: number): boolean {
    if (event.type === '@troupe.message') {
      this.version++;
      this.messages.push(isCompactValue(event.event) ? event : (toWireEvent(event, at) as StoredMessage), at);
      return true;
    }
    if (event.type === '@troupe.state') {
      this.version++;
      const a = this.#actors.get(event.address);
      if (a) a.value = isCompactValue(event.value) ? event.value : toWireValue(event.value);
      return true;
    }
    return false;
  }

  /** Mailbox depths of one node: only the actors it reported last time are reset (not every actor, per record). */
  #stats(record: Extract<TraceRecord, { type: '@troupe.stats' }>): void {
    for (const address of this.#waiting.get(record.node) ?? []) {
      const a = this.#actors.get(address);
      if (a) a.mailbox = 0;
    }
    const waiting: string[] = [];
    for (const [address, depth] of Array.isArray(record.depths) ? record.depths : []) {
      const a = this.#actors.get(String(address));
      if (a === undefined || a.node !== record.node) continue;
      a.mailbox = Number(depth) || 0;
      waiting.push(a.address);
    }
    this.#waiting.set(record.node, waiting);
  }

  #node(node: string, status: string, at: number, force = false): void {
    const known = this.#nodes.get(node);
    // a record from a node said to be down, newer than the news, shows it is back
    if (known === undefined || force || (known.status === 'down' && at > known.at)) this.#nodes.set(node, { status, at });
  }

  #actor(e: Extract<WireEvent, { type: '@troupe.actor' }>): void {
    // a node reports its own actors: one cannot add, stop or restart another's
    if (typeof e.address !== 'string' || !isOnNode(e.address, e.node)) return;
    let a = this.#actors.get(e.address);
    if (e.status === 'stopped') {
      if (a === undefined || a.status === 'stopped') return;
      a.status = 'stopped';
      a.reason = e.reason;
      a.mailbox = 0;
      this.#stopped.push(a.address);
      while (this.#stopped.length > this.#maxStopped) this.#forget(this.#stopped.shift() as string);
      return;
    }
    if (a === undefined) {
      if (this.#actors.size >= this.#maxActors) {
        this.actorsOmitted++;
        return;
      }
      // an actor naming itself as its parent would make the tree a cycle
      const parent = typeof e.parent === 'string' && e.parent !== e.address ? e.parent : ROOT;
      a = {
        address: e.address,
        node: e.node,
        name: e.address.slice(e.address.lastIndexOf('/') + 1),
        parent,
        status: 'running',
        restarts: 0,
        mailbox: 0,
        children: new Set(),
      };
      this.#actors.set(e.address, a);
      this.#childrenOf(parent, e.node).add(e.address);
    } else if (a.status === 'stopped') {
      a.status = 'running';
      const i = this.#stopped.indexOf(a.address);
      if (i >= 0) this.#stopped.splice(i, 1);
    }
    if (e.status === 'restarted') a.restarts++;
    if (typeof e.chart === 'string') a.chart = `${e.node} ${e.chart}`;
  }

  readonly #roots = new Map<string, Set<string>>();

  #childrenOf(parent: string, node: string): Set<string> {
    if (parent !== ROOT) {
      const p = this.#actors.get(parent);
      if (p) return p.children;
    }
    let roots = this.#roots.get(node);
    if (roots === undefined) {
      roots = new Set();
      this.#roots.set(node, roots);
    }
    return roots;
  }

  #forget(address: string): void {
    const a = this.#actors.get(address);
    if (a === undefined || a.status !== 'stopped') return;
    this.#actors.delete(address);
    this.#childrenOf(a.parent, a.node).delete(address);
    for (const c of a.children) {
      const child = this.#actors.get(c);
      if (child) child.parent = ROOT;
      this.#childrenOf(ROOT, a.node).add(c);
    }
  }

  /** The tree, flattened depth first (nodes, then their actors), a page at a time. */
  tree(offset: number, limit: number): Page<TreeRow> {
    if (this.#treeCache?.version !== this.version) this.#treeCache = { version: this.version, rows: this.#flatten() };
    const rows = this.#treeCache.rows;
    return { total: rows.length, offset, rows: rows.slice(offset, offset + limit) };
  }

  /** Where `address` sits in the flattened tree, or -1. */
  indexOf(address: string): number {
    this.tree(0, 0);
    return this.#treeCache?.rows.findIndex((r) => r.address === address) ?? -1;
  }

  #flatten(): TreeRow[] {
    const rows: TreeRow[] = [];
    const nodes = [...new Set([...this.#nodes.keys(), ...this.#roots.keys()])].sort();
    // depth first with an explicit stack: a supervision chain of any depth must not overflow the call stack
    const seen = new Set<string>(); // each actor once, even if records ever made a cycle
    const walk = (roots: Iterable<string>) => {
      const stack: [string, number][] = [...roots].reverse().map((address) => [address, 1]);
      while (stack.length > 0) {
        const [address, depth] = stack.pop() as [string, number];
        const a = this.#actors.get(address);
        if (a === undefined || seen.has(address)) continue;
        seen.add(address);
        rows.push(this.#row(a, depth));
        const children = [...a.children];
        for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], depth + 1]);
      }
    };
    for (const node of nodes) {
      const roots = this.#roots.get(node) ?? new Set<string>();
      rows.push({
        address: `${SCHEME}${node}`,
        name: node,
        node,
        depth: 0,
        kind: 'node',
        status: this.#nodes.get(node)?.status ?? 'up',
        restarts: 0,
        mailbox: 0,
        children: roots.size,
      });
      walk(roots);
    }
    return rows;
  }

  /** One actor: its row, chart id and current state value. */
  actor(address: string): (TreeRow & { value?: unknown; reason?: unknown }) | undefined {
    const a = this.#actors.get(address);
    return a === undefined ? undefined : { ...this.#row(a, 0), value: a.value, reason: a.reason };
  }

  #row(a: Actor, depth: number): TreeRow {
    // a node seen going down: its actors' fate is unknown until it forwards again
    const status = a.status === 'running' && this.#nodes.get(a.node)?.status === 'down' ? 'unreachable' : a.status;
    const { address, name, node, restarts, mailbox } = a;
    const row: TreeRow = { address, name, node, depth, kind: 'actor', status, restarts, mailbox, children: a.children.size };
    if (a.chart !== undefined) row.chart = a.chart;
    if (a.value !== undefined) row.state = summarize(a.value);
    return row;
  }

  /** Messages, oldest first, filtered by actor (sender or receiver address contains it) and type. */
  messagePage(offset: number, limit: number, filter: { actor?: string; type?: string } = {}): Page<MessageRow> {
    return this.messages.page(offset, limit, filter);
  }

  /** Where message `seq` sits in the unfiltered timeline, or -1. */
  messageIndex(seq: number): number {
    return this.messages.indexOf(seq);
  }

  /** A page of a log ring (decisions, llm, dead letters, log), oldest first. */
  page<T>(ring: Ring<T>, offset: number, limit: number): Page<T> {
    const rows: T[] = [];
    for (let i = offset; i < Math.min(offset + limit, ring.size); i++) rows.push(ring.at(i) as T);
    return { total: ring.size, offset, rows };
  }

  /** Counts for the page's header. */
  summary(): Record<string, number> {
    let running = 0;
    for (const a of this.#actors.values()) if (a.status === 'running') running++;
    return {
      version: this.version,
      nodes: this.#nodes.size,
      actors: running,
      messages: this.messages.total,
      messagesKept: this.messages.size,
      decisions: this.decisions.size,
      deadLetters: this.deadLetters.total,
      llmCalls: this.llm.total,
      inputTokens: this.#inputTokens,
      outputTokens: this.#outputTokens,
      actorsOmitted: this.actorsOmitted,
      recordsOmitted: this.recordsOmitted,
    };
  }
}
