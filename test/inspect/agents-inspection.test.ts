/** The inspect layer on real agents: a coordinator calling a worker through a scripted model. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { type CoordinatorResult, defineCoordinator } from '../../src/agents/coordinator.js';
import { createSystem } from '../../src/index.js';
import { captureInspection } from '../../src/inspect/capture.js';
import { InspectorModel } from '../../src/inspect/model.js';
import { otelBridge } from '../../src/inspect/otel.js';
import { cleanUpAfterEach, countingWorker, model, track } from '../agents/support.js';

cleanUpAfterEach();

describe('inspecting agents', () => {
  it('turns a coordinator run into invoke_agent, chat and execute_tool spans, and shows its statechart and decisions', async () => {
    const { llm } = await model([
      {
        text: 'I will search first.',
        toolCalls: [{ id: 'c1', name: 'search', arguments: { task: 'find auth' } }],
        usage: { inputTokens: 10, outputTokens: 5 },
      },
      { text: 'Auth lives in src/auth.', usage: { inputTokens: 20, outputTokens: 7 } },
    ]);
    const lead = defineCoordinator({
      name: 'lead',
      description: 'Leads.',
      llm,
      instructions: 'Coordinate.',
      workers: [countingWorker('search', new Map())],
    });
    const system = track(createSystem({ node: 'alpha' }));
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const bridge = otelBridge(system, { tracer: provider.getTracer('t'), linkWaitMs: 10_000 });
    const page = new InspectorModel();
    const sub = captureInspection(system).subscribe((r) => page.add(r));
    const ref = system.spawn(lead, { name: 'lead' });
    const run = await ref.ask<CoordinatorResult>({ type: 'task', input: { task: 'Where is auth?' } }, { timeoutMs: 10_000 });
    expect(run.stopReason).toBe('done');
    bridge.stop();
    sub.unsubscribe();

    const spans = exporter.getFinishedSpans();
    const names = spans.map((s) => s.name).sort();
    expect(names).toEqual(expect.arrayContaining(['invoke_agent lead', 'chat test-model', 'execute_tool search', 'invoke_agent search']));
    const agent = spans.find((s) => s.name === 'invoke_agent lead');
    const tool = spans.find((s) => s.name === 'execute_tool search');
    const chats = spans.filter((s) => s.name === 'chat test-model');
    expect(chats).toHaveLength(2);
    for (const c of chats) expect(c.parentSpanContext?.spanId).toBe(agent?.spanContext().spanId);
    expect(tool?.parentSpanContext?.spanId).toBe(agent?.spanContext().spanId);
    expect(agent?.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 12,
      'troupe.stop_reason': 'done',
    });

    // the page's model: the coordinator's decisions with token use, and its machine's chart
    expect(page.decisions.size).toBe(2);
    const row = page.actor('troupe://alpha/lead');
    expect(row?.chart).toBeTypeOf('string');
    const chart = page.charts.get(row?.chart as string);
    expect(chart?.root.states.map((s) => s.key)).toEqual(expect.arrayContaining(['idle', 'planning', 'done']));
  });
});
