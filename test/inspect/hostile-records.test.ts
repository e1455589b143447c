/** Property test: whatever another node sends, the observer's pipeline (bounds → model → page API → spans) never throws. */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InspectorModel } from '../../src/inspect/model.js';
import { contextFromTraceparent } from '../../src/inspect/otel.js';
import { SpanAssembler } from '../../src/inspect/otel-spans.js';
import { createInspectorApi } from '../../src/inspect/server-api.js';
import { fromUntrusted } from '../../src/inspect/untrusted.js';
import type { WireEvent } from '../../src/inspect/wire.js';

const TYPES = [
  'actor',
  'state',
  'message',
  'stats',
  'chart',
  'decision',
  'llm',
  'deadletter',
  'node',
  'pattern',
  'trace',
  'overflow',
  'whatever',
];
const FIELDS = ['address', 'parent', 'status', 'value', 'to', 'from', 'eventType', 'event', 'depths', 'id', 'chart', 'decision', 'actor'];
const MORE = ['model', 'inputTokens', 'outputTokens', 'latencyMs', 'taskId', 'worker', 'step', 'peer', 'recipient', 'reason', 'stopReason'];

const value = fc.oneof(
  fc.anything({ maxDepth: 4 }),
  fc.constantFrom(
    'troupe://a/x',
    'troupe://a/x/y',
    'troupe://b/z',
    'spawned',
    'stopped',
    'restarted',
    'task-start',
    'task-done',
    'up',
    'down',
  ),
  fc.constant({
    id: '',
    key: 'r',
    type: 'compound',
    states: [{ id: 'a', key: 'a', type: 'atomic', states: [], transitions: [] }],
    transitions: [],
  }),
  fc.constant({ calls: [{ id: 'c1', worker: 'w' }], results: [{ id: 'c1', ok: false }] }),
  fc.constant([['troupe://a/x', 3]]),
);

const address = fc.constantFrom('troupe://a/x', 'troupe://a/x/y', 'troupe://b/z', 'troupe://evil/q');
/** Well-shaped actor and LLM records with hostile links: self-parents, foreign parents, odd fields. */
const shaped = fc.oneof(
  fc.record({
    type: fc.constant('@troupe.actor'),
    node: fc.constantFrom('a', 'b', 'evil'),
    at: fc.integer(),
    address,
    parent: fc.option(address, { nil: undefined }),
    status: fc.constantFrom('spawned', 'stopped', 'restarted'),
    chart: fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined }),
  }),
  fc.record({
    type: fc.constant('@troupe.llm'),
    node: fc.constantFrom('a', 'b'),
    at: fc.integer(),
    actor: fc.oneof(address, fc.anything({ maxDepth: 1 })),
    taskId: fc.option(fc.constantFrom('T1', 'c1'), { nil: undefined }),
    model: fc.anything({ maxDepth: 1 }),
  }),
);

const loose = fc
  .record({
    type: fc.constantFrom(...TYPES).map((t) => `@troupe.${t}`),
    node: fc.constantFrom('a', 'b', 'evil'),
    at: fc.oneof(fc.integer(), fc.double()),
    fields: fc.dictionary(fc.constantFrom(...FIELDS, ...MORE), value, { maxKeys: 8 }),
  })
  .map(({ fields, ...head }) => ({ ...fields, ...head }));
const record = fc.oneof(loose, shaped);

describe('hostile records, end to end', () => {
  it('never throw in the bounds, the model, the page API or the span bridge', async () => {
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] }).getTracer('t');
    await fc.assert(
      fc.asyncProperty(fc.array(record, { maxLength: 40 }), async (records) => {
        const model = new InspectorModel({ maxNodes: 2 });
        const spans = new SpanAssembler({ tracer, linkWaitMs: 0, maxPending: 5, parentOf: contextFromTraceparent });
        const api = createInspectorApi(model, 'fuzz');
        for (const raw of records) {
          const r = fromUntrusted(raw);
          if (r === undefined) continue;
          model.add(r);
          if (r.type !== '@troupe.chart' && r.type !== '@troupe.stats' && r.type !== '@troupe.trace') spans.take(r as WireEvent);
        }
        spans.flush();
        for (const path of ['/api/summary', '/api/tree', '/api/messages', '/api/decisions', '/api/llm', '/api/deadletters', '/api/log']) {
          expect(JSON.stringify(await api(path, new URLSearchParams({ limit: '50' })))).toBeTypeOf('string');
        }
        for (const address of ['troupe://a/x', 'troupe://a/x/y']) await api('/api/actor', new URLSearchParams({ address }));
        await api('/api/messages', new URLSearchParams({ actor: 'a', type: 'x' }));
      }),
      { numRuns: 150 },
    );
  });
});
