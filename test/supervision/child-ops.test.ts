import { describe, expect, it } from 'vitest';
import { ChildOps } from '../../src/supervision/child-ops.js';
import { ChildRecord } from '../../src/supervision/child-record.js';
import { fakeSupervisor, spec } from './fake-supervisor.js';

function setup(flags = {}) {
  const f = fakeSupervisor(flags);
  const ops = new ChildOps(f.context);
  const add = (id: string, overrides = {}) => {
    const rec = new ChildRecord<string, string>(spec(id, overrides));
    f.context.children.set(id, rec);
    return rec;
  };
  /** Wire a started record's handle so its exits come back as the supervisor would route them. */
  const wire = (rec: ChildRecord<string, string>) => {
    const h = f.handles.get(rec.id);
    if (h) h.exited = (reason) => ops.stopped(rec, reason);
    return h;
  };
  return { ...f, ops, add, wire };
}

describe('ChildOps', () => {
  it('startOne spawns a fresh child, then restarts the same handle in place', () => {
    const s = setup();
    const rec = s.add('w');
    expect(s.ops.startOne(rec)).toBeUndefined();
    expect(rec.state).toBe('running');
    const handle = s.handles.get('w');
    rec.state = 'restarting';
    expect(s.ops.startOne(rec)).toBeUndefined();
    expect(handle?.calls).toEqual(['restart']);
  });

  it('startOne reports a start that throws as the failure, and leaves the child restarting', () => {
    const s = setup();
    s.failSpawns(true);
    const rec = s.add('w');
    const failure = s.ops.startOne(rec);
    expect((failure as { error: Error }).error.message).toBe('cannot start');
    expect(rec.state).toBe('restarting');
  });

  it('stopChild asks the child to stop and settles when it reports its exit', () => {
    const s = setup();
    const rec = s.add('w');
    s.ops.startOne(rec);
    s.wire(rec);
    let done = false;
    s.ops.stopChild(rec, 'keep', () => {
      done = true;
    });
    expect(done).toBe(true);
    expect(rec.state).toBe('restarting');
    expect(s.reports).toEqual(['child-terminated w shutdown']);
  });

  it('stopChild kills a child that outlives its shutdownMs', () => {
    const s = setup();
    const rec = s.add('w', { shutdownMs: 100 });
    s.ops.startOne(rec);
    const h = s.wire(rec);
    if (h) h.hangOnStop = true;
    let done = false;
    s.ops.stopChild(rec, 'release', () => {
      done = true;
    });
    expect(done).toBe(false);
    s.clock.advance(100);
    expect(h?.calls).toEqual(['stop', 'kill', 'release killed']);
    expect(done).toBe(true);
    expect(rec.state).toBe('stopped');
  });

  it('a brutal child is killed at once; a temporary one loses its spec when released', () => {
    const s = setup();
    const rec = s.add('t', { shutdownMs: 'brutal', restart: 'temporary' });
    s.ops.startOne(rec);
    const h = s.wire(rec);
    s.ops.stopChild(rec, 'keep', () => {});
    expect(h?.calls).toEqual(['kill', 'release killed']);
    expect(s.context.children.has('t')).toBe(false);
  });

  it('stopEach stops in the order given and calls then once', () => {
    const s = setup();
    const recs = ['a', 'b', 'c'].map((id) => s.add(id));
    for (const r of recs) {
      s.ops.startOne(r);
      s.wire(r);
    }
    let thens = 0;
    s.ops.stopEach(recs, 'release', () => thens++);
    expect(thens).toBe(1);
    expect(s.reports).toEqual(['child-terminated a shutdown', 'child-terminated b shutdown', 'child-terminated c shutdown']);
  });

  it('terminateNow releases a child whose stop throws', () => {
    const s = setup();
    const rec = s.add('w');
    s.ops.startOne(rec);
    const h = s.wire(rec);
    if (h) {
      h.throwOnStop = true;
      h.exited = undefined;
    }
    s.ops.terminateNow(rec);
    expect(h?.calls).toEqual(['stop', 'kill', 'release killed']);
    expect(rec.state).toBe('stopped');
  });

  it('schedule runs the members still waiting after the delay; cancelPending takes one out', () => {
    const s = setup();
    const a = s.add('a');
    const b = s.add('b');
    let due: string[] = [];
    s.ops.schedule([a, b], 50, (members, done) => {
      due = members.map((m) => m.id);
      done();
    });
    s.ops.cancelPending(b);
    s.clock.advance(50);
    expect(due).toEqual(['a']);
    const c = s.add('c');
    s.ops.schedule([c], 10, () => {});
    s.ops.cancelPending(c);
    expect(s.clock.pending).toBe(0);
  });

  it('delayFor is undefined without backoff, and grows with it', () => {
    expect(setup().ops.delayFor(new ChildRecord<string, string>(spec('w')))).toBeUndefined();
    const s = setup({ backoff: { minMs: 10, maxMs: 1000, factor: 2, jitter: 0 } });
    const rec = s.add('w');
    const first = s.ops.delayFor(rec) ?? 0;
    const second = s.ops.delayFor(rec) ?? 0;
    expect(second).toBeGreaterThan(first);
  });

  it('a child that starts while its supervisor dies is killed and released', () => {
    const s = setup();
    const rec = s.add('w');
    s.setPhase('dead');
    const failure = s.ops.startOne(rec);
    expect(failure).toMatchObject({ error: { code: 'TROUPE_ERR_ACTOR_STOPPED' } });
    expect(rec.state).toBe('stopped');
  });
});
