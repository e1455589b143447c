import { describe, expect, it } from 'vitest';
import { ChildOps } from '../../src/supervision/child-ops.js';
import type { SpecRules } from '../../src/supervision/child-spec.js';
import { SupervisorCalls } from '../../src/supervision/supervisor-calls.js';
import type { CallResult } from '../../src/supervision/supervisor-host.js';
import { fakeSupervisor } from './fake-supervisor.js';

const rules: Omit<SpecRules<string>, 'significantAllowed'> = {
  isLogic: (logic): logic is string => typeof logic === 'string',
  typeOf: (logic) => (logic === 'sup' ? 'supervisor' : 'worker'),
  idProblem: (id) => (id.includes('/') ? 'no slashes' : undefined),
};

function setup() {
  const f = fakeSupervisor();
  const ops = new ChildOps(f.context);
  const calls = new SupervisorCalls(f.context, ops, rules);
  // local children report their exit synchronously, as cells do
  const wireAll = () => {
    for (const [id, h] of f.handles) h.exited = (reason) => ops.stopped(f.context.children.get(id)!, reason);
  };
  const call = <T>(run: (reply: (r: CallResult<T>) => void) => void): CallResult<T> => {
    let result: CallResult<T> | undefined;
    run((r) => {
      result = r;
    });
    if (result === undefined) throw new Error('no reply');
    return result;
  };
  const code = (r: CallResult<unknown>) => (r.ok ? 'ok' : r.error.code);
  return { ...f, ops, calls, wireAll, call, code };
}

describe('SupervisorCalls', () => {
  it('startChild validates the spec, starts it, and refuses a second child with that id', () => {
    const s = setup();
    expect(s.code(s.call((r) => s.calls.startChild({ id: 'a/b', logic: 'w' }, r)))).toBe('TROUPE_ERR_INVALID_SPEC');
    expect(s.call((r) => s.calls.startChild({ id: 'w', logic: 'w' }, r))).toEqual({ ok: true, value: 'ref-w' });
    expect(s.code(s.call((r) => s.calls.startChild({ id: 'w', logic: 'w' }, r)))).toBe('TROUPE_ERR_ALREADY_STARTED');
  });

  it('a child that fails to start is reported and its spec dropped', () => {
    const s = setup();
    s.failSpawns(true);
    const r = s.call((reply) => s.calls.startChild({ id: 'w', logic: 'w' }, reply));
    expect(s.code(r)).toBe('TROUPE_ERR_START_FAILED');
    expect(s.context.children.has('w')).toBe(false);
    expect(s.reports).toEqual(['start-failed w error']);
  });

  it('terminate, restart and delete follow OTP: NOT_FOUND, RUNNING, ALREADY_PRESENT', () => {
    const s = setup();
    s.call((r) => s.calls.startChild({ id: 'w', logic: 'w' }, r));
    s.wireAll();
    expect(s.code(s.call((r) => s.calls.terminateChild('nobody', r)))).toBe('TROUPE_ERR_NOT_FOUND');
    expect(s.code(s.call((r) => s.calls.deleteChild('w', r)))).toBe('TROUPE_ERR_RUNNING');
    expect(s.code(s.call((r) => s.calls.restartChild('w', r)))).toBe('TROUPE_ERR_RUNNING');
    expect(s.code(s.call((r) => s.calls.terminateChild('w', r)))).toBe('ok');
    expect(s.code(s.call((r) => s.calls.startChild({ id: 'w', logic: 'w' }, r)))).toBe('TROUPE_ERR_ALREADY_PRESENT');
    expect(s.call((r) => s.calls.restartChild('w', r))).toEqual({ ok: true, value: 'ref-w' });
    s.wireAll();
    expect(s.code(s.call((r) => s.calls.terminateChild('w', r)))).toBe('ok');
    expect(s.code(s.call((r) => s.calls.deleteChild('w', r)))).toBe('ok');
    expect(s.code(s.call((r) => s.calls.deleteChild('w', r)))).toBe('TROUPE_ERR_NOT_FOUND');
  });

  it('whichChildren and countChildren describe the specs', () => {
    const s = setup();
    s.call((r) => s.calls.startChild({ id: 'w', logic: 'w' }, r));
    s.call((r) => s.calls.startChild({ id: 's', logic: 'sup' }, r));
    s.wireAll();
    s.call((r) => s.calls.terminateChild('s', r));
    expect(s.call((r) => s.calls.whichChildren(r))).toEqual({
      ok: true,
      value: [
        { id: 'w', ref: 'ref-w', status: 'running', type: 'worker' },
        { id: 's', status: 'stopped', type: 'supervisor' },
      ],
    });
    expect(s.call((r) => s.calls.countChildren(r))).toEqual({ ok: true, value: { specs: 2, active: 1, supervisors: 1, workers: 1 } });
  });

  it('after the supervisor died, every call is answered with ACTOR_STOPPED', () => {
    const s = setup();
    s.setPhase('dead');
    for (const r of [
      s.call((reply) => s.calls.startChild({ id: 'w', logic: 'w' }, reply)),
      s.call((reply) => s.calls.terminateChild('w', reply)),
      s.call((reply) => s.calls.countChildren(reply)),
    ]) {
      expect(s.code(r)).toBe('TROUPE_ERR_ACTOR_STOPPED');
      expect(r.ok ? '' : r.error.message).toContain('troupe://n/sup');
    }
  });
});
