import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kFor, stableKey, vote, voteAccuracy } from '../../src/patterns/vote.js';

/** A sampler that returns the scripted values in order ('!' throws), and records how many it drew. */
function scripted<T>(values: readonly (T | '!')[]) {
  let i = 0;
  const sampler = {
    drawn: 0,
    aborted: 0,
    sample: (signal: AbortSignal): Promise<T> => {
      const v = values[i++];
      sampler.drawn++;
      signal.addEventListener('abort', () => sampler.aborted++);
      if (v === undefined) return new Promise(() => {});
      return v === '!' ? Promise.reject(new Error('sample failed')) : Promise.resolve(v);
    },
  };
  return sampler;
}

/** Reference first-to-ahead-by-k over a sequence, one sample at a time. */
function reference(values: readonly string[], k: number, maxSamples: number, flagged: (v: string) => boolean): string | undefined {
  const votes = new Map<string, number>();
  for (const v of values.slice(0, maxSamples)) {
    if (v === '!' || flagged(v)) continue;
    votes.set(v, (votes.get(v) ?? 0) + 1);
    const mine = votes.get(v) as number;
    const other = Math.max(0, ...[...votes].filter(([key]) => key !== v).map(([, n]) => n));
    if (mine - other >= k) return v;
  }
  return undefined;
}

describe('vote', () => {
  it('returns the first answer to lead every other by k', async () => {
    const s = scripted(['a', 'b', 'a', 'a', 'b', 'a', 'a']);
    const result = await vote({ sample: s.sample, k: 2, concurrency: 1 });
    // a,b,a,a → a leads 3:1
    expect(result.winner).toBe('a');
    expect(result.votes).toEqual(
      new Map([
        ['a', 3],
        ['b', 1],
      ]),
    );
    expect(result.samples).toBe(4);
    expect(s.drawn).toBe(4);
  });

  it('discards red-flagged and thrown samples without counting them, but counts them toward maxSamples', async () => {
    const s = scripted(['a', 'TOO LONG ANSWER', '!', 'a', 'b', 'a']);
    const result = await vote({ sample: s.sample, k: 2, concurrency: 1, redFlag: (v) => v.length > 5 });
    expect(result.winner).toBe('a');
    expect(result.redFlagged).toBe(2);
    expect(result.votes.has('TOO LONG ANSWER')).toBe(false);
    expect([...result.votes.values()].reduce((a, b) => a + b, 0)).toBe(result.samples - result.redFlagged);

    const bad = scripted(['x!', '!', 'x!', 'a', 'b', 'a']);
    await expect(vote({ sample: bad.sample, k: 2, maxSamples: 4, concurrency: 1, redFlag: (v) => v.endsWith('!') })).rejects.toMatchObject({
      code: 'TROUPE_ERR_NO_CONSENSUS',
    });
    expect(bad.drawn).toBe(4);
  });

  it('rejects with TROUPE_ERR_NO_CONSENSUS when no answer leads by k within maxSamples', async () => {
    const s = scripted(['a', 'b', 'a', 'b', 'a', 'b']);
    await expect(vote({ sample: s.sample, k: 2, maxSamples: 6 })).rejects.toMatchObject({ code: 'TROUPE_ERR_NO_CONSENSUS' });
    expect(s.drawn).toBe(6);
  });

  it('runs samples concurrently but never more than could still be needed, and aborts the rest once decided', async () => {
    let inFlight = 0;
    let most = 0;
    let drawn = 0;
    const result = await vote({
      sample: async () => {
        drawn++;
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return 'same';
      },
      k: 3,
      concurrency: 8,
    });
    expect(result.winner).toBe('same');
    expect(most).toBe(3); // all agree: k samples, all at once
    expect(drawn).toBe(3);
  });

  it('aborts in-flight samples when decided, and rejects when its signal aborts', async () => {
    const s = scripted(['a', 'a', 'a']); // the 4th sample never settles
    const r = await vote({ sample: s.sample, k: 3, concurrency: 4 });
    expect(r.winner).toBe('a');
    const controller = new AbortController();
    const hanging = vote({ sample: () => new Promise(() => {}), k: 2, signal: controller.signal });
    controller.abort();
    await expect(hanging).rejects.toMatchObject({ code: 'TROUPE_ERR_ABORTED' });
  });

  it('hands a later vote only a signal nobody aborted and nobody listens to', async () => {
    const seen: AbortSignal[] = [];
    const listening = () => {};
    // a sample that leaves a listener behind: that signal must not be reused
    await vote({
      sample: async (signal) => {
        seen.push(signal);
        signal.addEventListener('abort', listening);
        return 'a';
      },
      k: 1,
    });
    await vote({
      sample: async (signal) => {
        seen.push(signal);
        return 'a';
      },
      k: 1,
    });
    expect(seen[1]).not.toBe(seen[0]);
    expect(seen[1].aborted).toBe(false);
  });

  it('rejects with TROUPE_ERR_TIMEOUT after timeoutMs, aborting the samples in flight', async () => {
    let aborted = 0;
    const hanging = vote({
      sample: (signal) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            aborted++;
            reject(new Error('aborted'));
          }),
        ),
      k: 2,
      timeoutMs: 20,
    });
    await expect(hanging).rejects.toMatchObject({ code: 'TROUPE_ERR_TIMEOUT' });
    expect(aborted).toBe(2);
  });

  it('treats answers with the same JSON (any key order) as the same answer', async () => {
    const s = scripted([
      { from: 0, to: 2 },
      { to: 2, from: 0 },
    ]);
    const r = await vote({ sample: s.sample, k: 2, concurrency: 1 });
    expect(r.votes.get(stableKey({ from: 0, to: 2 }))).toBe(2);
  });

  it('keeps a string apart from the value its text spells (1 and "1", null and "null")', async () => {
    const s = scripted(['1', 1, '1', 1, 1, 1]);
    const r = await vote({ sample: s.sample, k: 2, concurrency: 1 });
    expect(r.winner).toBe(1);
    expect(r.votes.size).toBe(2);
    const values: unknown[] = ['1', 1, 'null', null, 'true', true, '[1]', [1], '{"a":1}', { a: 1 }, '"1"', '"null"', 'plain', 'north'];
    expect(new Set(values.map(stableKey)).size).toBe(values.length);
    expect(stableKey('plain')).toBe('plain');
    expect(stableKey('north')).toBe('north');
  });

  it('refuses a redFlag, key or signal of the wrong kind', async () => {
    const sample = async () => 'a';
    for (const bad of [{ redFlag: 'yes' }, { key: 1 }, { signal: {} }]) {
      await expect(vote({ sample, k: 1, ...(bad as object) })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    }
  });

  it('never returns a wrong winner: property over scripted sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'b', 'c', 'long-answer', '!'), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 6 }),
        async (values, k, concurrency) => {
          const maxSamples = Math.max(k, values.length);
          const script = [...values, ...Array<string>(maxSamples - values.length).fill('!')];
          const flagged = (v: string) => v.length > 1;
          const expected = reference(script, k, maxSamples, flagged);
          const s = scripted(script);
          const outcome = await vote({ sample: s.sample, k, maxSamples, concurrency, redFlag: flagged }).then(
            (r) => r,
            (err: { code?: string }) => err.code,
          );
          if (expected === undefined) expect(outcome).toBe('TROUPE_ERR_NO_CONSENSUS');
          else {
            expect(typeof outcome === 'object' ? outcome.winner : outcome).toBe(expected);
            if (typeof outcome === 'object') {
              expect(outcome.votes.has('long-answer')).toBe(false);
              const [top, second = 0] = [...outcome.votes.values()].sort((x, y) => y - x);
              expect(top - second).toBeGreaterThanOrEqual(k);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects bad options', async () => {
    const sample = async () => 'a';
    await expect(vote({ sample, k: 0 })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    await expect(vote({ sample, k: 3, maxSamples: 2 })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
    await expect(vote({ sample, k: 1, concurrency: 0 })).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_OPTION' });
  });
});

describe('kFor', () => {
  it("gives the paper's k for the 20-disk Towers of Hanoi", () => {
    expect(kFor({ steps: 2 ** 20 - 1, errorRate: 0.01, target: 0.95 })).toBe(4);
    expect(kFor({ steps: 1, errorRate: 0.01, target: 0.95 })).toBe(1);
    expect(kFor({ steps: 100, errorRate: 0, target: 0.99 })).toBe(1);
  });

  it('is the least k whose per-step accuracy, over every step, reaches the target', () => {
    for (const [steps, errorRate, target] of [
      [1000, 0.1, 0.9],
      [1_000_000, 0.05, 0.99],
      [50_000, 0.3, 0.5],
    ] as const) {
      const k = kFor({ steps, errorRate, target });
      expect(voteAccuracy(errorRate, k) ** steps).toBeGreaterThanOrEqual(target);
      if (k > 1) expect(voteAccuracy(errorRate, k - 1) ** steps).toBeLessThan(target);
    }
  });

  it('grows as the logarithm of the number of steps', () => {
    const ks = [1e2, 1e4, 1e6, 1e8].map((steps) => kFor({ steps, errorRate: 0.2, target: 0.9 }));
    const steps = ks.slice(1).map((k, i) => k - ks[i]);
    // each ×100 in steps adds about the same to k
    expect(Math.max(...steps) - Math.min(...steps)).toBeLessThanOrEqual(1);
  });

  it('refuses error rates at or above one half', () => {
    expect(() => kFor({ steps: 10, errorRate: 0.5, target: 0.9 })).toThrow(/errorRate/);
  });
});
