import { describe, expect, it } from 'vitest';
import { main as councilMain } from '../../examples/council.js';
import { main as delegationMain } from '../../examples/delegation.js';
import { main as fanOutMain } from '../../examples/fan-out.js';
import { main as makerMain } from '../../examples/maker-hanoi.js';
import { main as mapReduceMain } from '../../examples/map-reduce.js';
import { main as pipelineMain } from '../../examples/pipeline.js';
import { main as workQueueMain } from '../../examples/work-queue.js';

describe('pattern examples', () => {
  it('fan-out: results in order, the empty document failed, no actor left', async () => {
    expect(await fanOutMain()).toEqual([
      '0: Actors keep state private',
      '1: Mailboxes queue messages',
      '2: failed (TROUPE_ERR_WORKER_FAILED)',
      '3: Supervisors restart children',
      'actors left: 0',
    ]);
  });

  it('pipeline: the second attempt resumes at the failed stage', async () => {
    const r = await pipelineMain();
    expect(r.firstAttempt).toMatch(/stage summarize/);
    expect(r.runs).toEqual(['fetch', 'parse', 'summarize', 'summarize']);
    expect(r.resumed).toEqual(['fetch', 'parse']);
    expect(r.output).toEqual({ text: 'Troupe runs actors', words: 9 });
  });

  it('delegation: counts every word, refuses to go past maxDepth', async () => {
    const r = await delegationMain();
    expect(r).toMatchObject({ count: 180, executed: 8, depth: 3, tooDeep: 'TROUPE_ERR_MAX_DEPTH' });
    expect(r.ids.slice(0, 3)).toEqual(['1', '1.1', '1.2']);
  });

  it('work-queue: every task done, the urgent one first, the flaky one retried, all checkpointed', async () => {
    const r = await workQueueMain();
    expect(r.stats).toEqual({ queued: 0, running: 0, done: 201, failed: 0, retries: 2 });
    expect(r.first).toBe('urgent');
    expect(r.sample).toBe(169);
    expect(r.checkpoints).toBe(201);
  });

  it('map-reduce: 20 cheap calls and one strong call', async () => {
    expect(await mapReduceMain()).toEqual({
      report: '30 TODOs in 20 files; most in src/f3.ts',
      calls: { 'cheap-model': 20, 'strong-model': 1 },
    });
  });

  it('council: 3N + 1 calls and a synthesis of the revised answers', async () => {
    const r = await councilMain();
    expect(r.calls).toBe(10);
    expect(r.answer).toMatch(/^consensus: A=.*; B=.*; C=/);
  });

  it('maker-hanoi: 8 disks with zero errors, locally and on a worker node process', async () => {
    const local = await makerMain({ disks: 8, p: 0.05, q: 0.02, seed: 3 });
    expect(local).toMatchObject({ steps: 255, errors: 0, solved: true });
    expect(local.samples).toBeGreaterThanOrEqual(255 * local.k);
    const remote = await makerMain({ disks: 5, nodes: 1, seed: 4 });
    expect(remote).toMatchObject({ steps: 31, errors: 0, solved: true });
  }, 60_000);
});
