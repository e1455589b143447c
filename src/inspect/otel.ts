/**
 * An OpenTelemetry bridge on `@opentelemetry/api` alone: inspection events become spans named and
 * attributed after the GenAI semantic conventions. Spans are created when they end, parent first,
 * so that a worker's task found to belong to a coordinator's tool call later still nests under it.
 *
 * What links (see docs/inspect.md): `chat` and `execute_tool` spans nest under the `invoke_agent`
 * span of the same actor and task id; a worker's `invoke_agent` nests under the `execute_tool`
 * span whose call id equals its task id, or under the span named by a W3C `traceparent` field of
 * its task event — across nodes when the feed is a collector's.
 */
import {
  type Attributes,
  type Context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ActorSystem } from '../actors/system.js';
import { captureInspection } from './capture.js';
import type { InspectionFeed, TraceRecord } from './records.js';

/** Options of {@link otelBridge}. */
export interface OtelBridgeOptions {
  /** Default: `trace.getTracer('troupe')` from the global provider. */
  tracer?: Tracer;
  /** How long a finished task waits for the tool call it belongs to before it becomes a root span, ms. Default 2000. */
  linkWaitMs?: number;
  /** Most spans held waiting for a parent; beyond, the oldest are emitted as they are. Default 10 000. */
  maxPending?: number;
}

/** A running bridge. */
export interface OtelBridge {
  /** Emits every finished span now, without waiting for links. */
  flush(): void;
  /** Stops observing (after a flush). */
  stop(): void;
}

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

const nameOf = (address: string) => address.slice(address.lastIndexOf('/') + 1);

/** Parses a W3C `traceparent` (`00-<trace>-<span>-<flags>`) into a parent context. */
export function contextFromTraceparent(value: unknown): Context | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(value);
  if (m === null || /^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  const flags = Number.parseInt(m[3], 16) & TraceFlags.SAMPLED;
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: m[1], spanId: m[2], traceFlags: flags, isRemote: true });
}

/**
 * Turns the inspection of `source` (a system, or a collector's feed for every node) into spans:
 * `invoke_agent {agent}` per agent task (`@troupe.pattern` task-start … task-done), `chat {model}`
 * per LLM request (`@troupe.llm`, with `gen_ai.usage.*` tokens), `execute_tool {worker}` per
 * coordinator tool call (`@troupe.decision`). Uses `@opentelemetry/api` only: install any SDK.
 *
 * @example
 * ```ts
 * const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
 * const bridge = otelBridge(system, { tracer: provider.getTracer('troupe') });
 * // … run agents …
 * bridge.stop();
 * ```
 */
export function otelBridge(source: ActorSystem | InspectionFeed, options: OtelBridgeOptions = {}): OtelBridge {
  const tracer = options.tracer ?? trace.getTracer('troupe');
  const linkWaitMs = options.linkWaitMs ?? 2000;
  const maxPending = options.maxPending ?? 10_000;
  const feed = source instanceof ActorSystem ? captureInspection(source) : source;
  /** Every span not yet forgotten, by key (emitted ones stay a while to parent late children). */
  const spans = new Map<string, Pending>();
  /** Agent tasks by task id, to be linked to the tool call that started them. */
  const byTask = new Map<string, Pending>();
  /** Parent contexts announced by task events (`traceparent`), by task id. */
  const announced = new Map<string, Context>();
  const lastChatEnd = new Map<string, number>();
  const lingering = new Set<Pending>();

  const remember = (p: Pending) => {
    spans.set(p.key, p);
    if (spans.size > maxPending) {
      const [oldKey, old] = spans.entries().next().value as [string, Pending];
      spans.delete(oldKey);
      if (old.span === undefined && old.end !== undefined) emit(old, true);
    }
  };

  const emit = (p: Pending, force = false): void => {
    if (p.span !== undefined || p.end === undefined) return;
    const parent = p.parentKey === undefined ? undefined : spans.get(p.parentKey);
    if (!force && parent !== undefined && parent.span === undefined) {
      if (!parent.waiting.includes(p)) parent.waiting.push(p);
      return;
    }
    if (!force && parent === undefined && p.parentContext === undefined && p.linkBy !== undefined && Date.now() < p.linkBy) {
      lingering.add(p);
      return;
    }
    lingering.delete(p);
    const ctx = parent?.span ? trace.setSpan(ROOT_CONTEXT, parent.span) : (p.parentContext ?? ROOT_CONTEXT);
    const span = tracer.startSpan(p.name, { kind: p.kind, startTime: p.start, attributes: p.attributes }, ctx);
    if (p.error !== undefined) {
      span.setAttribute('error.type', p.error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: p.error });
    }
    span.end(Math.max(p.end, p.start));
    p.span = span;
    for (const child of p.waiting.splice(0)) emit(child, force);
  };

  const agentKey = (actor: string, taskId: string) => `agent|${actor}|${taskId}`;

  const onRecord = (r: TraceRecord) => {
    switch (r.type) {
      case '@troupe.message': {
        const e = r.event as { taskId?: unknown; traceparent?: unknown } | undefined;
        const ctx = r.eventType === 'task' ? contextFromTraceparent(e?.traceparent) : undefined;
        if (ctx !== undefined && typeof e?.taskId === 'string') {
          announced.set(e.taskId, ctx);
          if (announced.size > maxPending) announced.delete(announced.keys().next().value as string);
        }
        return;
      }
      case '@troupe.pattern': {
        if (typeof r.taskId !== 'string' || typeof r.worker !== 'string') return;
        const key = agentKey(r.worker, r.taskId);
        if (r.step === 'task-start') {
          const p: Pending = {
            key,
            name: `invoke_agent ${nameOf(r.worker)}`,
            kind: SpanKind.INTERNAL,
            start: r.at,
            attributes: {
              'gen_ai.operation.name': 'invoke_agent',
              'gen_ai.agent.name': nameOf(r.worker),
              'gen_ai.agent.id': r.worker,
              'troupe.task.id': r.taskId,
              'troupe.node': r.node,
              'troupe.pattern': r.pattern,
            },
            parentContext: announced.get(r.taskId),
            waiting: [],
          };
          announced.delete(r.taskId);
          remember(p);
          byTask.set(r.taskId, p);
          if (byTask.size > maxPending) byTask.delete(byTask.keys().next().value as string);
          return;
        }
        const p = spans.get(key);
        if (p === undefined || p.end !== undefined) return;
        if (r.step === 'task-done' || r.step === 'task-failed' || r.step === 'cancelled') {
          p.end = r.at;
          if (r.step !== 'task-done') p.error = r.step === 'cancelled' ? 'cancelled' : (r.detail ?? 'task-failed');
          p.linkBy = Date.now() + linkWaitMs;
          emit(p);
        }
        return;
      }
      case '@troupe.llm': {
        const parentKey = typeof r.taskId === 'string' ? agentKey(r.actor, r.taskId) : undefined;
        const end = r.at;
        const start = end - (Number(r.latencyMs) || 0);
        const p: Pending = {
          key: `chat|${r.actor}|${r.taskId}|${end}|${spans.size}`,
          name: `chat ${r.model}`,
          kind: SpanKind.CLIENT,
          start,
          end,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.request.model': r.model,
            'gen_ai.usage.input_tokens': Number(r.inputTokens) || 0,
            'gen_ai.usage.output_tokens': Number(r.outputTokens) || 0,
            'gen_ai.agent.name': nameOf(r.actor),
            'troupe.node': r.node,
          },
          parentKey: parentKey !== undefined && spans.has(parentKey) ? parentKey : undefined,
          error: typeof r.error === 'string' ? r.error : undefined,
          waiting: [],
        };
        if (typeof r.toolCalls === 'number') p.attributes['troupe.llm.tool_calls'] = r.toolCalls;
        if (parentKey !== undefined) lastChatEnd.set(parentKey, end);
        const agent = parentKey === undefined ? undefined : spans.get(parentKey);
        if (agent !== undefined) {
          agent.attributes['gen_ai.usage.input_tokens'] =
            Number(agent.attributes['gen_ai.usage.input_tokens'] ?? 0) + (Number(r.inputTokens) || 0);
          agent.attributes['gen_ai.usage.output_tokens'] =
            Number(agent.attributes['gen_ai.usage.output_tokens'] ?? 0) + (Number(r.outputTokens) || 0);
          agent.attributes['gen_ai.request.model'] = r.model;
        }
        remember(p);
        emit(p);
        return;
      }
      case '@troupe.decision': {
        const d = r.decision;
        if (typeof d !== 'object' || d === null || !Array.isArray(d.calls)) return;
        const parentKey = typeof r.taskId === 'string' ? agentKey(r.actor, r.taskId) : undefined;
        const parent = parentKey === undefined ? undefined : spans.get(parentKey);
        const start = (parentKey && lastChatEnd.get(parentKey)) || r.at;
        for (const call of d.calls) {
          if (typeof call?.id !== 'string') continue;
          const result = Array.isArray(d.results) ? d.results.find((x) => x?.id === call.id) : undefined;
          const p: Pending = {
            key: `tool|${r.actor}|${r.taskId}|${call.id}`,
            name: `execute_tool ${String(call.worker)}`,
            kind: SpanKind.INTERNAL,
            start,
            end: r.at,
            attributes: {
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': String(call.worker),
              'gen_ai.tool.call.id': call.id,
              'gen_ai.agent.name': nameOf(r.actor),
              'troupe.node': r.node,
            },
            parentKey: parent === undefined ? undefined : parentKey,
            error: result && result.ok === false ? String(result.error ?? 'failed') : undefined,
            waiting: [],
          };
          remember(p);
          const worker = byTask.get(call.id);
          if (worker !== undefined && worker.span === undefined && worker.parentContext === undefined) {
            worker.parentKey = p.key;
            lingering.delete(worker);
            p.waiting.push(worker);
          }
          emit(p);
        }
        if (r.stopReason !== undefined && parent !== undefined) parent.attributes['troupe.stop_reason'] = String(r.stopReason);
        return;
      }
    }
  };

  const sub = feed.subscribe(onRecord);
  const sweep = setInterval(
    () => {
      for (const p of [...lingering]) emit(p);
    },
    Math.max(50, linkWaitMs / 2),
  );
  sweep.unref();
  const flush = () => {
    for (const p of [...lingering]) emit(p, true);
    for (const p of spans.values()) if (p.end !== undefined && p.span === undefined) emit(p, true);
  };
  return {
    flush,
    stop() {
      sub.unsubscribe();
      clearInterval(sweep);
      flush();
    },
  };
}
