import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import type { InspectionEvent } from '../../src/index.js';
import { type ActorSystem, createSystem, defineCoordinator, defineWorker, openaiClient } from '../../src/index.js';
import { contextFromTraceparent, otelBridge } from '../../src/inspect/otel.js';
import type { InspectionFeed, RecordListener, TraceRecord } from '../../src/inspect/records.js';
import { scriptedModel } from '../../src/testing/index.js';

/** A feed the test pushes records into, as a collector would from several nodes. */
function manualFeed(): InspectionFeed & { push(r: InspectionEvent): void } {
  const listeners = new Set<RecordListener>();
  let t = 1_700_000_000_000;
  return {
    subscribe(l) {
      listeners.add(l);
      return { unsubscribe: () => listeners.delete(l) };
    },
    push(r) {
      t += 10;
      const record: TraceRecord = { ...r, at: t };
      for (const l of listeners) l(record);
    },
  };
}

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, tracer: provider.getTracer('troupe-test') };
}

const byName = (spans: ReadableSpan[], name: string) => spans.find((s) => s.name === name) as ReadableSpan;
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

let system: ActorSystem | undefined;
afterEach(async () => {
  await system?.shutdown();
  system = undefined;
});

describe('otelBridge', () => {
  it('nests chat and execute_tool under the coordinator, and a worker on another node under its tool call', () => {
    const { exporter, tracer } = setup();
    const feed = manualFeed();
    const bridge = otelBridge(feed, { tracer, linkWaitMs: 60_000 });
    const lead = 'troupe://alpha/lead';
    const search = 'troupe://beta/search';
    feed.push({ type: '@troupe.pattern', node: 'alpha', pattern: 'worker', run: lead, step: 'task-start', taskId: 'T1', worker: lead });
    feed.push({
      type: '@troupe.llm',
      node: 'alpha',
      actor: lead,
      model: 'gpt-test',
      inputTokens: 100,
      outputTokens: 20,
      latencyMs: 5,
      taskId: 'T1',
      toolCalls: 1,
    });
    // the worker's task on beta, whose task id is the tool call's id
    feed.push({
      type: '@troupe.pattern',
      node: 'beta',
      pattern: 'worker',
      run: search,
      step: 'task-start',
      taskId: 'call_1',
      worker: search,
    });
    feed.push({
      type: '@troupe.llm',
      node: 'beta',
      actor: search,
      model: 'gpt-mini',
      inputTokens: 7,
      outputTokens: 3,
      latencyMs: 2,
      taskId: 'call_1',
    });
    feed.push({
      type: '@troupe.pattern',
      node: 'beta',
      pattern: 'worker',
      run: search,
      step: 'task-done',
      taskId: 'call_1',
      worker: search,
    });
    feed.push({
      type: '@troupe.decision',
      node: 'alpha',
      actor: lead,
      taskId: 'T1',
      decision: {
        iteration: 0,
        at: 0,
        thought: 'search',
        calls: [{ id: 'call_1', worker: 'search', input: {} }],
        results: [{ id: 'call_1', ok: true, summary: 'found' }],
        usage: { inputTokens: 100, outputTokens: 20, calls: 1 },
      },
    });
    feed.push({
      type: '@troupe.llm',
      node: 'alpha',
      actor: lead,
      model: 'gpt-test',
      inputTokens: 150,
      outputTokens: 30,
      latencyMs: 5,
      taskId: 'T1',
    });
    feed.push({ type: '@troupe.pattern', node: 'alpha', pattern: 'worker', run: lead, step: 'task-done', taskId: 'T1', worker: lead });
    bridge.stop();

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-mini',
      'chat gpt-test',
      'chat gpt-test',
      'execute_tool search',
      'invoke_agent lead',
      'invoke_agent search',
    ]);
    const agent = byName(spans, 'invoke_agent lead');
    const tool = byName(spans, 'execute_tool search');
    const worker = byName(spans, 'invoke_agent search');
    const workerChat = byName(spans, 'chat gpt-mini');
    expect(parentOf(agent)).toBeUndefined();
    expect(parentOf(tool)).toBe(agent.spanContext().spanId);
    expect(parentOf(worker)).toBe(tool.spanContext().spanId);
    expect(parentOf(workerChat)).toBe(worker.spanContext().spanId);
    for (const s of spans) expect(s.spanContext().traceId).toBe(agent.spanContext().traceId);
    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'lead',
      'gen_ai.usage.input_tokens': 250,
      'gen_ai.usage.output_tokens': 50,
    });
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'search',
      'gen_ai.tool.call.id': 'call_1',
    });
    expect(workerChat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-mini',
      'gen_ai.usage.input_tokens': 7,
      'gen_ai.usage.output_tokens': 3,
    });
    expect(worker.attributes['troupe.node']).toBe('beta');
  });

  it('uses a traceparent carried by the task event as the parent', () => {
    const { exporter, tracer } = setup();
    const feed = manualFeed();
    const bridge = otelBridge(feed, { tracer });
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const w = 'troupe://beta/w';
    feed.push({ type: '@troupe.message', node: 'beta', to: w, eventType: 'task', event: { type: 'task', taskId: 'x', traceparent } });
    feed.push({ type: '@troupe.pattern', node: 'beta', pattern: 'worker', run: w, step: 'task-start', taskId: 'x', worker: w });
    feed.push({
      type: '@troupe.pattern',
      node: 'beta',
      pattern: 'worker',
      run: w,
      step: 'task-failed',
      taskId: 'x',
      worker: w,
      detail: 'TROUPE_ERR_WORKER_FAILED',
    });
    bridge.stop();
    const [span] = exporter.getFinishedSpans();
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentOf(span)).toBe('b7ad6b7169203331');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('TROUPE_ERR_WORKER_FAILED');
  });

  it('emits a finished task with no tool call as a root span once linkWaitMs has passed', async () => {
    const { exporter, tracer } = setup();
    system = createSystem({ node: 'solo' });
    const bridge = otelBridge(system, { tracer, linkWaitMs: 50 });
    const emit = (e: InspectionEvent) => system?.inspection.emit(e);
    emit({
      type: '@troupe.pattern',
      node: 'solo',
      pattern: 'worker',
      run: 'troupe://solo/w',
      step: 'task-start',
      taskId: 't',
      worker: 'troupe://solo/w',
    });
    emit({
      type: '@troupe.pattern',
      node: 'solo',
      pattern: 'worker',
      run: 'troupe://solo/w',
      step: 'task-done',
      taskId: 't',
      worker: 'troupe://solo/w',
    });
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    await expect.poll(() => exporter.getFinishedSpans().length, { timeout: 5000 }).toBe(1);
    bridge.stop();
    expect(system.inspection.active).toBe(false);
  });

  it("nests a real coordinator's worker task under the execute_tool span of its call", async () => {
    const { exporter, tracer } = setup();
    const model = await scriptedModel([
      { text: 'Searching.', toolCalls: [{ id: 'call-7', name: 'search', arguments: { task: 'auth' } }] },
      'Auth is in src/auth.',
    ]);
    try {
      const llm = openaiClient({ model: 'm', baseURL: model.url, apiKey: 'k', maxRetries: 0 });
      const search = defineWorker({ name: 'search', description: 'Finds things.', run: async () => ({ answer: 'src/auth' }) });
      const lead = defineCoordinator({ name: 'lead', description: 'Leads.', llm, instructions: 'Coordinate.', workers: [search] });
      system = createSystem({ node: 'solo' });
      // the lead's task has no parent: it is emitted as a root span once linkWaitMs has passed
      const bridge = otelBridge(system, { tracer, linkWaitMs: 100 });
      await system.spawn(lead, { name: 'lead' }).ask({ type: 'task', input: { task: 'Where is auth?' } }, { timeoutMs: 10_000 });
      await expect.poll(() => exporter.getFinishedSpans().some((s) => s.name === 'invoke_agent lead'), { timeout: 5000 }).toBe(true);
      const spans = exporter.getFinishedSpans();
      const tool = byName(spans, 'execute_tool search');
      const worker = byName(spans, 'invoke_agent search');
      expect(tool.attributes['gen_ai.tool.call.id']).toBe('call-7');
      expect(parentOf(worker)).toBe(tool.spanContext().spanId);
      expect(parentOf(tool)).toBe(byName(spans, 'invoke_agent lead').spanContext().spanId);
      bridge.stop();
    } finally {
      await model.close();
    }
  });

  it('refuses options that would spin a timer or hold spans without bound', () => {
    const feed = manualFeed();
    for (const bad of [
      { linkWaitMs: Number.NaN },
      { linkWaitMs: -1 },
      { maxPending: Number.NaN },
      { maxPending: 0 },
      { maxPending: 2.5 },
    ]) {
      expect(() => otelBridge(feed, bad)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    }
  });

  it('reads only well-formed traceparents', () => {
    expect(contextFromTraceparent('00-00000000000000000000000000000000-b7ad6b7169203331-01')).toBeUndefined();
    expect(contextFromTraceparent('garbage')).toBeUndefined();
    expect(contextFromTraceparent(42)).toBeUndefined();
  });

  it('survives records of the wrong shape from a hostile node: no throw, and the good spans still come', () => {
    const { exporter, tracer } = setup();
    const feed = manualFeed();
    const bridge = otelBridge(feed, { tracer, linkWaitMs: 60_000 });
    const hostile = [
      { type: '@troupe.llm', node: 'evil', actor: 42, model: { x: 1 }, inputTokens: 'lots', outputTokens: null, latencyMs: 'slow' },
      { type: '@troupe.llm', node: 'evil', actor: 'troupe://evil/a', model: { x: 1 }, inputTokens: 'lots', latencyMs: -5, taskId: 9 },
      { type: '@troupe.decision', node: 'evil', actor: null, decision: { calls: [{ id: 'c', worker: 'w' }] } },
      {
        type: '@troupe.decision',
        node: 'evil',
        actor: 'troupe://evil/a',
        decision: { calls: [null, 7, { id: 'c', worker: {} }], results: 'no' },
      },
      { type: '@troupe.pattern', node: 'evil', step: 'task-start', taskId: 'T', worker: 'troupe://evil/w', pattern: { evil: true } },
      { type: '@troupe.pattern', node: 'evil', step: 'task-failed', taskId: 'T', worker: 'troupe://evil/w', detail: { why: 1 } },
      { type: '@troupe.message', node: 'evil', eventType: 'task', to: 'x', event: null },
    ];
    for (const r of hostile) expect(() => feed.push(r as never)).not.toThrow();
    bridge.flush();
    const names = exporter.getFinishedSpans().map((s) => s.name);
    expect(names).toContain('chat [object Object]');
    expect(names).toContain('execute_tool [object Object]');
    const task = byName(exporter.getFinishedSpans(), 'invoke_agent w');
    expect(task.attributes['error.type']).toBe('[object Object]');
    bridge.stop();
  });
});
