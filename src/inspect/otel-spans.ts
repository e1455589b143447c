/**
 * The span bookkeeping behind `otelBridge`: one small handler per record type turns trace records
 * into pending spans, and spans are started and ended together once they (and their parents)
 * are finished, so that a child found to belong to a parent later still nests under it. Records
 * may come from other nodes: any field may be missing or of the wrong type, and every table is
 * bounded by `maxPending`.
 */
import { type Attributes, type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { WireEvent } from './wire.js';

type Of<T extends WireEvent['type']> = Extract<WireEvent, { type: T }>;

/** A span waiting to be emitted (or emitted, kept a while to parent late children). */
interface Pending {
  key: string;
  name: string;
  kind: SpanKind;
  start: number;
  end?: number;
  attributes: Attributes;
  error?: string;
  parentKey?: string;
  parentContext?: Context;
  /** An agent task that may yet turn out to be a tool call's: emitted after `linkBy`. */
  linkBy?: number;
  span?: Span;
  waiting: Pending[];
}

/** Limits of a {@link SpanAssembler}. */
export interface AssemblerOptions {
  tracer: Tracer;
  linkWaitMs: number;
  maxPending: number;
  /** Parses a `traceparent` into a parent context. */
  parentOf(traceparent: unknown): Context | undefined;
}

const nameOf = (address: string) => address.slice(address.lastIndexOf('/') + 1);
const agentKey = (actor: string, taskId: string) => `agent|${actor}|${taskId}`;
const tokens = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);
const str = (v: unknown) => (typeof v === 'string' ? v : String(v));

/** Sets `key` in `map`, forgetting the oldest entry beyond `max`. */
function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/** Builds spans from trace records (see `otelBridge`). @internal */
export class SpanAssembler {
  readonly #o: AssemblerOptions;
  /** Every span not yet forgotten, by key. */
  readonly #spans = new Map<string, Pending>();
  /** Agent tasks by task id, to be linked to the tool call that started them. */
  readonly #byTask = new Map<string, Pending>();
  /** Parent contexts announced by task events (`traceparent`), by task id. */
  readonly #announced = new Map<string, Context>();
  /** When an agent task's last chat ended: where its next tool calls start. */
  readonly #lastChatEnd = new Map<string, number>();
  readonly #lingering = new Set<Pending>();
  #chats = 0;

  constructor(options: AssemblerOptions) {
    this.#o = options;
  }

  /** Sizes of the tables (each at most `maxPending`). */
  held(): { spans: number; tasks: number; announced: number; chats: number; lingering: number } {
    return {
      spans: this.#spans.size,
      tasks: this.#byTask.size,
      announced: this.#announced.size,
      chats: this.#lastChatEnd.size,
      lingering: this.#lingering.size,
    };
  }

  /** Takes in one record; those that make no span are ignored. */
  take(r: WireEvent): void {
    switch (r.type) {
      case '@troupe.message':
        this.#onMessage(r);
        return;
      case '@troupe.pattern':
        this.#onTaskStep(r);
        return;
      case '@troupe.llm':
        this.#onChat(r);
        return;
      case '@troupe.decision':
        this.#onDecision(r);
        return;
    }
  }

  /** Emits finished agent tasks whose wait for a tool call is over (or all, with `force`). */
  sweep(force = false): void {
    for (const p of [...this.#lingering]) this.#emit(p, force);
  }

  /** Emits every finished span now. */
  flush(): void {
    this.sweep(true);
    for (const p of this.#spans.values()) if (p.end !== undefined && p.span === undefined) this.#emit(p, true);
  }

  /** A task event may carry the W3C `traceparent` of its caller's span. */
  #onMessage(r: Of<'@troupe.message'>): void {
    if (r.eventType !== 'task') return;
    const e = r.event as { taskId?: unknown; traceparent?: unknown } | undefined;
    const ctx = this.#o.parentOf(e?.traceparent);
    if (ctx !== undefined && typeof e?.taskId === 'string') setBounded(this.#announced, e.taskId, ctx, this.#o.maxPending);
  }

  /** `invoke_agent`: opened by `task-start`, closed by `task-done` / `task-failed` / `cancelled`. */
  #onTaskStep(r: Of<'@troupe.pattern'>): void {
    if (typeof r.taskId !== 'string' || typeof r.worker !== 'string') return;
    const key = agentKey(r.worker, r.taskId);
    if (r.step === 'task-start') {
      this.#openTask(r, key, r.worker, r.taskId);
      return;
    }
    const p = this.#spans.get(key);
    if (p === undefined || p.end !== undefined) return;
    if (r.step !== 'task-done' && r.step !== 'task-failed' && r.step !== 'cancelled') return;
    p.end = r.at;
    if (r.step !== 'task-done') p.error = r.step === 'cancelled' ? 'cancelled' : str(r.detail ?? 'task-failed');
    p.linkBy = Date.now() + this.#o.linkWaitMs;
    this.#emit(p);
  }

  #openTask(r: Of<'@troupe.pattern'>, key: string, worker: string, taskId: string): void {
    const p: Pending = {
      key,
      name: `invoke_agent ${nameOf(worker)}`,
      kind: SpanKind.INTERNAL,
      start: r.at,
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': nameOf(worker),
        'gen_ai.agent.id': worker,
        'troupe.task.id': taskId,
        'troupe.node': r.node,
        ...(typeof r.pattern === 'string' ? { 'troupe.pattern': r.pattern } : {}),
      },
      parentContext: this.#announced.get(taskId),
      waiting: [],
    };
    this.#announced.delete(taskId);
    this.#remember(p);
    setBounded(this.#byTask, taskId, p, this.#o.maxPending);
  }

  /** `chat {model}` per LLM request, its tokens also summed on its agent's span. */
  #onChat(r: Of<'@troupe.llm'>): void {
    if (typeof r.actor !== 'string') return;
    const parentKey = typeof r.taskId === 'string' ? agentKey(r.actor, r.taskId) : undefined;
    const model = str(r.model);
    const [input, output] = [tokens(r.inputTokens), tokens(r.outputTokens)];
    const p: Pending = {
      key: `chat|${r.actor}|${r.taskId}|${r.at}|${++this.#chats}`,
      name: `chat ${model}`,
      kind: SpanKind.CLIENT,
      start: r.at - tokens(r.latencyMs),
      end: r.at,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': model,
        'gen_ai.usage.input_tokens': input,
        'gen_ai.usage.output_tokens': output,
        'gen_ai.agent.name': nameOf(r.actor),
        'troupe.node': r.node,
      },
      parentKey: parentKey !== undefined && this.#spans.has(parentKey) ? parentKey : undefined,
      error: typeof r.error === 'string' ? r.error : undefined,
      waiting: [],
    };
    if (typeof r.toolCalls === 'number') p.attributes['troupe.llm.tool_calls'] = r.toolCalls;
    if (parentKey !== undefined) setBounded(this.#lastChatEnd, parentKey, r.at, this.#o.maxPending);
    const agent = parentKey === undefined ? undefined : this.#spans.get(parentKey);
    if (agent !== undefined) {
      agent.attributes['gen_ai.usage.input_tokens'] = Number(agent.attributes['gen_ai.usage.input_tokens'] ?? 0) + input;
      agent.attributes['gen_ai.usage.output_tokens'] = Number(agent.attributes['gen_ai.usage.output_tokens'] ?? 0) + output;
      agent.attributes['gen_ai.request.model'] = model;
    }
    this.#remember(p);
    this.#emit(p);
  }

  /** `execute_tool {worker}` per tool call of a coordinator's decision. */
  #onDecision(r: Of<'@troupe.decision'>): void {
    const d = r.decision as { calls?: unknown; results?: unknown } | null;
    if (typeof r.actor !== 'string' || typeof d !== 'object' || d === null || !Array.isArray(d.calls)) return;
    const parentKey = typeof r.taskId === 'string' ? agentKey(r.actor, r.taskId) : undefined;
    const parent = parentKey === undefined ? undefined : this.#spans.get(parentKey);
    const start = (parentKey && this.#lastChatEnd.get(parentKey)) || r.at;
    const results = Array.isArray(d.results) ? (d.results as { id?: unknown; ok?: unknown; error?: unknown }[]) : [];
    for (const call of d.calls as { id?: unknown; worker?: unknown }[]) {
      if (typeof call?.id !== 'string') continue;
      const result = results.find((x) => x?.id === call.id);
      const error = result && result.ok === false ? str(result.error ?? 'failed') : undefined;
      this.#toolCall(r, call.id, str(call.worker), start, parent === undefined ? undefined : parentKey, error);
    }
    if (r.stopReason !== undefined && parent !== undefined) parent.attributes['troupe.stop_reason'] = str(r.stopReason);
  }

  #toolCall(r: Of<'@troupe.decision'>, id: string, worker: string, start: number, parentKey?: string, error?: string): void {
    const p: Pending = {
      key: `tool|${r.actor}|${r.taskId}|${id}`,
      name: `execute_tool ${worker}`,
      kind: SpanKind.INTERNAL,
      start,
      end: r.at,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': worker,
        'gen_ai.tool.call.id': id,
        'gen_ai.agent.name': nameOf(r.actor),
        'troupe.node': r.node,
      },
      parentKey,
      error,
      waiting: [],
    };
    this.#remember(p);
    // a worker's task whose id is this call's: it nests under this span (on any node)
    const task = this.#byTask.get(id);
    if (task !== undefined && task.span === undefined && task.parentContext === undefined) {
      task.parentKey = p.key;
      this.#lingering.delete(task);
      p.waiting.push(task);
    }
    this.#emit(p);
  }

  #remember(p: Pending): void {
    this.#spans.set(p.key, p);
    if (this.#spans.size <= this.#o.maxPending) return;
    const [oldKey, old] = this.#spans.entries().next().value as [string, Pending];
    this.#spans.delete(oldKey);
    this.#lastChatEnd.delete(oldKey);
    if (old.span === undefined && old.end !== undefined) this.#emit(old, true);
  }

  #emit(p: Pending, force = false): void {
    if (p.span !== undefined || p.end === undefined) return;
    const parent = p.parentKey === undefined ? undefined : this.#spans.get(p.parentKey);
    if (!force && parent !== undefined && parent.span === undefined) {
      if (!parent.waiting.includes(p)) parent.waiting.push(p);
      return;
    }
    if (!force && parent === undefined && p.parentContext === undefined && p.linkBy !== undefined && Date.now() < p.linkBy) {
      this.#lingering.add(p);
      return;
    }
    this.#lingering.delete(p);
    const ctx = parent?.span ? trace.setSpan(ROOT_CONTEXT, parent.span) : (p.parentContext ?? ROOT_CONTEXT);
    const span = this.#o.tracer.startSpan(p.name, { kind: p.kind, startTime: p.start, attributes: p.attributes }, ctx);
    if (p.error !== undefined) {
      span.setAttribute('error.type', p.error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: p.error });
    }
    span.end(Math.max(p.end, p.start));
    p.span = span;
    for (const child of p.waiting.splice(0)) this.#emit(child, force);
  }
}
