import { afterEach, describe, expect, it } from 'vitest';
import { type ActorSystem, createSystem } from '../../src/index.js';
import { type CouncilTask, council, labelOf } from '../../src/patterns/council.js';
import { usageOf } from '../../src/patterns/worker-protocol.js';
import { actors, taskWorker } from './helpers.js';

let sys: ActorSystem;
afterEach(async () => {
  await sys?.shutdown();
});

type Task = CouncilTask<string, string>;

/** A member that answers `answer of <name>`, reviews every answer by label, and records what it saw. */
function member(name: string, seen: Map<string, Task[]>) {
  return taskWorker(
    (input) => {
      const task = input as Task;
      seen.set(name, [...(seen.get(name) ?? []), task]);
      switch (task.phase) {
        case 'answer':
          return `answer of ${name}`;
        case 'review':
          return Object.fromEntries(task.answers.map((a) => [a.label, `${name} reviewed ${a.answer}`]));
        case 'revise':
          return `revised ${task.answer} after ${task.reviews.length} reviews`;
        default:
          return 'unexpected';
      }
    },
    { usage: () => usageOf(name, 10, 1) },
  );
}

describe('council', () => {
  it('makes 3N + 1 calls: answers, anonymous reviews, revisions, one synthesis', async () => {
    sys = createSystem();
    const seen = new Map<string, Task[]>();
    const names = ['m1', 'm2', 'm3', 'm4'];
    const chair = taskWorker(
      (input) => {
        const task = input as Task;
        seen.set('chair', [task]);
        return task.phase === 'synthesize' ? task.answers.map((a) => a.label).join('') : 'wrong phase';
      },
      { usage: () => usageOf('chair', 50, 5) },
    );
    const result = await council<string, string, string>(sys, {
      members: names.map((n) => member(n, seen)),
      question: 'why?',
      chair,
      seed: 7,
    });
    expect(result.calls).toBe(3 * 4 + 1);
    expect(result.usage.calls).toBe(13);
    expect(result.answer).toBe('ABCD');
    expect(result.answers).toEqual(names.map((n) => `answer of ${n}`));
    expect(result.revised).toEqual(names.map((n) => `revised answer of ${n} after 3 reviews`));
    for (const name of names) expect(seen.get(name)?.map((t) => t.phase)).toEqual(['answer', 'review', 'revise']);
    expect(actors(sys)).toBe(0);
  });

  it('never shows a member its own answer, and labels the others A, B, C… with no identity', async () => {
    sys = createSystem();
    const seen = new Map<string, Task[]>();
    const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const chair = taskWorker(() => 'done');
    await council(sys, { members: names.map((n) => member(n, seen)), question: 'q', chair });
    const orders: string[] = [];
    for (const name of names) {
      const review = seen.get(name)?.find((t) => t.phase === 'review');
      if (review?.phase !== 'review') throw new Error('no review');
      expect(review.answers.map((a) => a.label)).toEqual(['A', 'B', 'C', 'D']);
      expect(review.answers.map((a) => a.answer)).not.toContain(`answer of ${name}`);
      expect(new Set(review.answers.map((a) => a.answer)).size).toBe(4);
      expect(JSON.stringify(review)).not.toMatch(/troupe:\/\//);
      orders.push(review.answers.map((a) => a.answer.slice(-2)).join(''));
      // the reviews it gets back are about its own answer only
      const revise = seen.get(name)?.find((t) => t.phase === 'revise');
      if (revise?.phase !== 'revise') throw new Error('no revise');
      expect(revise.reviews).toHaveLength(4);
      for (const r of revise.reviews) expect(r).toMatch(new RegExp(`reviewed answer of ${name}$`));
    }
  });

  it('relabels in a seeded order: the same seed gives the same order, another seed another', async () => {
    sys = createSystem();
    const labelsFor = async (seed: number) => {
      const seen = new Map<string, Task[]>();
      await council(sys, {
        members: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => member(n, seen)),
        question: 'q',
        chair: taskWorker(() => 'x'),
        seed,
      });
      const review = seen.get('a')?.find((t) => t.phase === 'review');
      return review?.phase === 'review' ? review.answers.map((x) => x.answer).join('|') : '';
    };
    expect(await labelsFor(1)).toBe(await labelsFor(1));
    const variants = new Set<string>();
    for (let seed = 0; seed < 8; seed++) variants.add(await labelsFor(seed));
    expect(variants.size).toBeGreaterThan(1);
  });

  it('fails when a member fails, stopping the others', async () => {
    sys = createSystem();
    const seen = new Map<string, Task[]>();
    const broken = taskWorker(() => {
      throw new Error('no opinion');
    });
    await expect(
      council(sys, { members: [member('m1', seen), broken], question: 'q', chair: taskWorker(() => 'x') }),
    ).rejects.toMatchObject({
      code: 'TROUPE_ERR_WORKER_FAILED',
    });
    expect(actors(sys)).toBe(0);
    await expect(council(sys, { members: [member('m1', seen)], question: 'q', chair: taskWorker(() => 'x') })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INVALID_OPTION',
    });
  });
  it('gives every answer a distinct label past Z (27 members: A…Z, AA), to reviewers and the chair', async () => {
    sys = createSystem();
    const seen = new Map<string, Task[]>();
    const members = Array.from({ length: 27 }, (_, i) => member(`m${i}`, seen));
    let synthesis: string[] = [];
    const chair = taskWorker((input) => {
      synthesis = (input as Task & { phase: 'synthesize' }).answers.map((a) => a.label);
      return 'summary';
    });
    const { calls } = await council(sys, { members, question: 'q', chair, seed: 3 });
    expect(calls).toBe(3 * 27 + 1);
    expect(new Set(synthesis).size).toBe(27);
    expect(synthesis.every((l) => /^[A-Z]+$/.test(l))).toBe(true);
    for (const tasks of seen.values()) {
      const review = tasks.find((t) => t.phase === 'review') as Task & { phase: 'review' };
      expect(new Set(review.answers.map((a) => a.label)).size).toBe(26);
    }
    expect([labelOf(0), labelOf(25), labelOf(26), labelOf(27), labelOf(701), labelOf(702)]).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });

  it('refuses a seed that is not a whole number', async () => {
    sys = createSystem();
    const seen = new Map<string, Task[]>();
    await expect(
      council(sys, { members: [member('a', seen), member('b', seen)], question: 'q', chair: member('c', seen), seed: 0.5 }),
    ).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
  });
});
