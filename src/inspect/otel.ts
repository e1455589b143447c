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
import { type Context, ROOT_CONTEXT, TraceFlags, type Tracer, trace } from '@opentelemetry/api';
import { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';
import { captureInspection } from './capture.js';
import { SpanAssembler } from './otel-spans.js';
import type { InspectionFeed } from './records.js';

/**
 * Options of {@link otelBridge}.
 *
 * @example
 * ```ts
 * otelBridge(collector.feed, { tracer: provider.getTracer('troupe'), linkWaitMs: 500, maxPending: 5000 });
 * ```
 */
export interface OtelBridgeOptions {
  /** Default: `trace.getTracer('troupe')` from the global provider. */
  tracer?: Tracer;
  /** How long a finished task waits for the tool call it belongs to before it becomes a root span, ms. Default 2000. */
  linkWaitMs?: number;
  /** Most spans held waiting for a parent; beyond, the oldest are emitted as they are. Default 10 000. */
  maxPending?: number;
}

/**
 * A running bridge.
 *
 * @example
 * ```ts
 * const bridge = otelBridge(system);
 * bridge.flush(); // emit finished spans now
 * bridge.stop();
 * ```
 */
export interface OtelBridge {
  /** Emits every finished span now, without waiting for links. */
  flush(): void;
  /** Stops observing (after a flush). */
  stop(): void;
}

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
  const linkWaitMs = options.linkWaitMs ?? 2000;
  const maxPending = options.maxPending ?? 10_000;
  if (!(typeof linkWaitMs === 'number' && linkWaitMs >= 0 && Number.isFinite(linkWaitMs)))
    throw createError('TROUPE_ERR_INVALID_OPTION', `otelBridge: linkWaitMs must be a finite number >= 0, got ${String(linkWaitMs)}`);
  if (!(Number.isInteger(maxPending) && maxPending > 0))
    throw createError('TROUPE_ERR_INVALID_OPTION', `otelBridge: maxPending must be a whole number > 0, got ${String(maxPending)}`);
  const spans = new SpanAssembler({
    tracer: options.tracer ?? trace.getTracer('troupe'),
    linkWaitMs,
    maxPending,
    parentOf: contextFromTraceparent,
  });
  const feed = source instanceof ActorSystem ? captureInspection(source) : source;
  const sub = feed.subscribe((record) => {
    if (record.type !== '@troupe.chart' && record.type !== '@troupe.stats' && record.type !== '@troupe.trace') spans.take(record);
  });
  const sweep = setInterval(() => spans.sweep(), Math.max(50, linkWaitMs / 2));
  sweep.unref();
  return {
    flush: () => spans.flush(),
    stop() {
      sub.unsubscribe();
      clearInterval(sweep);
      spans.flush();
    },
  };
}
