import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { readTrace, recordTrace } from '../../src/inspect/recorder.js';
import type { TraceRecord } from '../../src/inspect/records.js';

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } } });

let dir: string;
let system: ActorSystem;
afterEach(async () => {
  await system?.shutdown();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function lines(file: string): TraceRecord[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceRecord);
}

describe('recordTrace', () => {
  it('writes a start line, the live tree, every event as JSON, and an end line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-trace-'));
    system = createSystem({ node: 'alpha', dispatcher: 'sync' });
    system.spawn(toggle, { name: 'early' });
    const file = join(dir, 't.jsonl');
    const trace = recordTrace(system, file);
    const t = system.spawn(toggle, { name: 't' });
    t.send({ type: 'flip' });
    await trace.close();
    const records = lines(file);
    expect(records[0]).toMatchObject({ type: '@troupe.trace', phase: 'start', version: 1, node: 'alpha' });
    expect(records.at(-1)).toMatchObject({ type: '@troupe.trace', phase: 'end', events: trace.events });
    const types = records.map((r) => (r.type === '@troupe.actor' ? `${r.type} ${r.address.split('/').pop()}` : r.type));
    expect(types).toContain('@troupe.actor early');
    expect(types).toContain('@troupe.actor t');
    expect(records.filter((r) => r.type === '@troupe.chart')).toHaveLength(1);
    expect(records.some((r) => r.type === '@troupe.state' && r.address.endsWith('/t') && r.value === 'on')).toBe(true);
    const read: TraceRecord[] = [];
    for await (const r of readTrace(file)) read.push(r);
    expect(read).toEqual(records);
  });

  it('stops at maxBytes and says so in its last line', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-trace-'));
    system = createSystem({ node: 'alpha', dispatcher: 'sync' });
    const file = join(dir, 't.jsonl');
    const trace = recordTrace(system, file, { maxBytes: 4096 });
    const t = system.spawn(toggle, { name: 't' });
    for (let i = 0; i < 500; i++) t.send({ type: 'flip' });
    expect(trace.full).toBe(true);
    expect(system.inspection.active).toBe(false);
    await trace.close();
    const text = readFileSync(file, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    expect(JSON.parse(text.trim().split('\n').at(-1) as string)).toMatchObject({ type: '@troupe.trace', phase: 'full' });
  });

  it('skips lines that are not trace records when reading', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-trace-'));
    const file = join(dir, 'bad.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'not json\n{"type":"x"}\n{"type":"@troupe.node","node":"a","at":1,"status":"up"}\n');
    const read: TraceRecord[] = [];
    for await (const r of readTrace(file)) read.push(r);
    expect(read).toEqual([{ type: '@troupe.node', node: 'a', at: 1, status: 'up' }]);
  });

  it('refuses a tiny maxBytes', () => {
    system = createSystem({ node: 'alpha' });
    expect(() => recordTrace(system, '/tmp/x', { maxBytes: 10 })).toThrow(/maxBytes/);
  });
});
