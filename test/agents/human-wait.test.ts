import { describe, expect, it } from 'vitest';
import { waitForHuman } from '../../src/agents/human-wait.js';
import { SimulatedClock } from '../../src/index.js';

describe('waitForHuman', () => {
  it('settles with the hook’s answer', async () => {
    const clock = new SimulatedClock();
    await expect(waitForHuman(async () => 'yes', new AbortController().signal, 1000, clock, 'late')).resolves.toEqual({
      kind: 'answer',
      value: 'yes',
    });
  });

  it('times out on the injected clock and aborts the hook’s signal with the reason', async () => {
    const clock = new SimulatedClock();
    let hookSignal: AbortSignal | undefined;
    const pending = waitForHuman(
      (signal) => {
        hookSignal = signal;
        return new Promise<string>(() => {});
      },
      new AbortController().signal,
      1000,
      clock,
      'approval timed out',
    );
    await Promise.resolve();
    clock.advance(999);
    await Promise.resolve();
    expect(hookSignal?.aborted).toBe(false);
    clock.advance(1);
    await expect(pending).resolves.toEqual({ kind: 'timeout' });
    expect((hookSignal!.reason as Error).message).toBe('approval timed out');
  });

  it('ends as cancelled when the run’s signal aborts, passing the abort to the hook', async () => {
    const clock = new SimulatedClock();
    const run = new AbortController();
    let hookSignal: AbortSignal | undefined;
    const pending = waitForHuman(
      (signal) => {
        hookSignal = signal;
        return new Promise<string>(() => {});
      },
      run.signal,
      1000,
      clock,
      'late',
    );
    await Promise.resolve();
    run.abort(new Error('stop'));
    await expect(pending).resolves.toEqual({ kind: 'cancelled' });
    expect(hookSignal?.aborted).toBe(true);
  });

  it('rejects when the hook throws, synchronously or not', async () => {
    const clock = new SimulatedClock();
    const signal = new AbortController().signal;
    await expect(
      waitForHuman(
        () => {
          throw new Error('boom');
        },
        signal,
        1000,
        clock,
        'late',
      ),
    ).rejects.toThrow('boom');
    await expect(waitForHuman(async () => Promise.reject(new Error('later')), signal, 1000, clock, 'late')).rejects.toThrow('later');
  });

  it('leaves no timer behind once answered', async () => {
    const clock = new SimulatedClock();
    await waitForHuman(() => 1, new AbortController().signal, 1000, clock, 'late');
    expect(clock.pending).toBe(0);
  });
});
