import { describe, expect, it } from 'vitest';
import { arbitrate, type EscalateHook, type Escalation } from '../../src/agents/escalation.js';
import { askApproval, resolveGuardrails } from '../../src/agents/guardrails.js';

const escalation: Escalation = {
  coordinator: 'troupe://a/lead',
  taskId: 't',
  callId: 'c',
  worker: 'w',
  input: {},
  error: { code: 'TROUPE_ERR_TIMEOUT', message: 'slow' },
  attempts: 3,
  options: ['retry', 'reassign', 'abandon'],
  workers: ['w', 'v'],
};

describe('arbitrate', () => {
  const signal = new AbortController().signal;
  it('returns the hook choice', async () => {
    expect(await arbitrate(() => ({ action: 'reassign', worker: 'v' }), escalation, signal, 1000)).toEqual({
      action: 'reassign',
      worker: 'v',
    });
    expect(await arbitrate(async () => ({ action: 'retry' }), escalation, signal, 1000)).toEqual({ action: 'retry' });
  });
  it('abandons on a throw, a timeout, an abort or a malformed answer', async () => {
    expect(
      await arbitrate(
        () => {
          throw new Error('no');
        },
        escalation,
        signal,
        1000,
      ),
    ).toMatchObject({ action: 'abandon', reason: expect.stringMatching(/no/) });
    expect(await arbitrate(() => new Promise(() => {}), escalation, signal, 10)).toMatchObject({
      action: 'abandon',
      reason: expect.stringMatching(/10 ms/),
    });
    const c = new AbortController();
    const pending = arbitrate(() => new Promise(() => {}), escalation, c.signal, 10_000);
    c.abort();
    expect(await pending).toMatchObject({ action: 'abandon', reason: 'the run was cancelled' });
    const rogue = (() => ({ action: 'explode' })) as unknown as EscalateHook;
    expect(await arbitrate(rogue, escalation, signal, 1000)).toMatchObject({ action: 'abandon' });
  });
});

describe('askApproval', () => {
  const call = { id: 'c', worker: 'w', input: {}, iteration: 1, taskId: 't' };
  const signal = new AbortController().signal;
  it('approves without an approve hook, and on true or { approved: true }', async () => {
    expect(await askApproval(resolveGuardrails(undefined, 'x'), call, signal)).toBeUndefined();
    expect(await askApproval(resolveGuardrails({ approve: () => true }, 'x'), call, signal)).toBeUndefined();
    expect(await askApproval(resolveGuardrails({ approve: async () => ({ approved: true }) }, 'x'), call, signal)).toBeUndefined();
  });
  it('denies with the reason on false, a reason, a throw or a timeout', async () => {
    expect(await askApproval(resolveGuardrails({ approve: () => false }, 'x'), call, signal)).toBe('denied by approve');
    expect(await askApproval(resolveGuardrails({ approve: () => ({ approved: false, reason: 'no' }) }, 'x'), call, signal)).toBe(
      'denied by approve: no',
    );
    expect(
      await askApproval(
        resolveGuardrails(
          {
            approve: () => {
              throw new Error('boom');
            },
          },
          'x',
        ),
        call,
        signal,
      ),
    ).toMatch(/boom/);
    expect(await askApproval(resolveGuardrails({ approve: () => new Promise(() => {}), approveTimeoutMs: 5 }, 'x'), call, signal)).toMatch(
      /timed out/,
    );
  });
  it('refuses bad guardrails', () => {
    expect(() => resolveGuardrails({ allow: 'search' as unknown as string[] }, 'x')).toThrow(/allow/);
    expect(() => resolveGuardrails({ approveTimeoutMs: 0 }, 'x')).toThrow(/approveTimeoutMs/);
  });
});
