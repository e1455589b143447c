/**
 * A coordinator SIGKILLed mid-run on node A resumes on node B (another process, the same SQLite
 * checkpoint and runId) and does not repeat finished worker calls; the scripted model, served from
 * this process, records every request both nodes made.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite.js';
import { type ScriptedModel, scriptedModel } from '../../src/testing/index.js';
import { StoreChild } from './fixtures/store-child.js';

const node = fileURLToPath(new URL('./fixtures/store-coordinator-node.ts', import.meta.url));

let dir: string;
let path: string;
let execLog: string;
let server: ScriptedModel | undefined;
let children: StoreChild[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-coordinator-'));
  path = join(dir, 'store.db');
  execLog = join(dir, 'exec.log');
  writeFileSync(execLog, '');
});

afterEach(async () => {
  for (const c of children) await c.kill();
  children = [];
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, hang: boolean): Promise<StoreChild> {
  const child = await StoreChild.start(node, name, [path, server!.url, execLog, hang ? '1' : '0']);
  children.push(child);
  return child;
}

function toolContents(body: unknown): string[] {
  const messages = (body as { messages: { role: string; content?: unknown }[] }).messages;
  return messages.filter((m) => m.role === 'tool').map((m) => String(m.content));
}

describe('coordinator checkpoints across nodes (SQLite store)', () => {
  it('a coordinator SIGKILLed on node A resumes on node B without repeating finished worker calls', async () => {
    server = await scriptedModel([
      {
        toolCalls: [
          { id: 'q', name: 'quick', arguments: { task: 'a' } },
          { id: 's', name: 'stuck', arguments: { task: 'b' } },
        ],
      },
      'all done',
    ]);
    const a = await start('a', true);
    await a.waitFor('stuck');
    // Kill A only once the quick call's result is in its checkpoint.
    const store = sqliteStore({ path });
    const deadline = Date.now() + 20_000;
    for (;;) {
      const entries = await store.list('troupe/coordinator/');
      const finished = entries.map((e) => (e.value as { finished?: Record<string, unknown> }).finished);
      if (finished.some((f) => f !== undefined && 'q' in f)) break;
      if (Date.now() > deadline) throw new Error('the quick call never reached the checkpoint');
      await new Promise((r) => setTimeout(r, 20));
    }
    await store.close();
    await a.kill();

    const b = await start('b', false);
    const done = await b.waitFor('done', 60_000);
    expect(done.answer).toBe('all done');
    const runs = readFileSync(execLog, 'utf8').trim().split('\n');
    // quick ran once (on A); stuck ran on A (killed) and again on B.
    expect([...runs].sort()).toEqual([`quick ${a.pid}`, `stuck ${a.pid}`, `stuck ${b.pid}`].sort());
    // One model request from A (the plan), one from B (after the resumed call): none repeated.
    expect(server.requests).toHaveLength(2);
    expect(toolContents(server.requests[1]!.body)).toEqual([
      JSON.stringify({ answer: 'quick: a' }),
      JSON.stringify({ answer: 'stuck: b' }),
    ]);
  }, 120_000);
});
