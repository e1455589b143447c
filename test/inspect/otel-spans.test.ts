import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { contextFromTraceparent } from '../../src/inspect/otel.js';
import { SpanAssembler } from '../../src/inspect/otel-spans.js';

describe('SpanAssembler', () => {
  it('keeps every table within maxPending, however many tasks, chats and announcements pass', () => {
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    const spans = new SpanAssembler({ tracer, linkWaitMs: 60_000, maxPending: 10, parentOf: contextFromTraceparent });
    const actor = 'troupe://a/lead';
    for (let i = 0; i < 500; i++) {
      const taskId = `T${i}`;
      const traceparent = `00-${'1'.repeat(32)}-${i.toString(16).padStart(16, '0').replace(/^0/, '1')}-01`;
      spans.take({ type: '@troupe.message', node: 'a', at: i, to: actor, eventType: 'task', event: { taskId: `X${i}`, traceparent } });
      spans.take({ type: '@troupe.pattern', node: 'a', at: i, pattern: 'worker', run: actor, step: 'task-start', taskId, worker: actor });
      spans.take({ type: '@troupe.llm', node: 'a', at: i, actor, model: 'm', inputTokens: 1, outputTokens: 1, latencyMs: 0, taskId });
      spans.take({
        type: '@troupe.llm',
        node: 'a',
        at: i,
        actor,
        model: 'm',
        inputTokens: 1,
        outputTokens: 1,
        latencyMs: 0,
        taskId: `gone${i}`,
      });
    }
    const held = spans.held();
    for (const [table, n] of Object.entries(held)) expect(n, table).toBeLessThanOrEqual(10);
    spans.flush();
    expect(exporter.getFinishedSpans().filter((s) => s.name === 'chat m')).toHaveLength(1000);
  });
});
