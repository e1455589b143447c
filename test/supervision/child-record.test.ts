import { describe, expect, it } from 'vitest';
import { ChildRecord } from '../../src/supervision/child-record.js';
import { FakeHandle, spec } from './fake-supervisor.js';

describe('ChildRecord', () => {
  it('starts stopped, without a handle, and reports its spec id and type', () => {
    const rec = new ChildRecord<string, string>(spec('w', { type: 'supervisor' }));
    expect(rec.id).toBe('w');
    expect(rec.state).toBe('stopped');
    expect(rec.info()).toEqual({ id: 'w', status: 'stopped', type: 'supervisor' });
  });

  it('is alive while starting, running or stopping, and running (to the calls) while its exit is queued', () => {
    const rec = new ChildRecord<string, string>(spec('w'));
    rec.handle = new FakeHandle('ref-w');
    for (const state of ['starting', 'running', 'stopping'] as const) {
      rec.state = state;
      expect([rec.alive, rec.running, rec.status]).toEqual([true, true, 'running']);
    }
    rec.state = 'exited';
    expect([rec.alive, rec.running, rec.status]).toEqual([false, true, 'running']);
    rec.state = 'restarting';
    expect([rec.alive, rec.running, rec.status]).toEqual([false, false, 'restarting']);
    expect(rec.info()).toEqual({ id: 'w', ref: 'ref-w', status: 'restarting', type: 'worker' });
  });

  it('hides the ref of a stopped child that still holds its handle', () => {
    const rec = new ChildRecord<string, string>(spec('w'));
    rec.handle = new FakeHandle('ref-w');
    rec.state = 'stopped';
    expect(rec.info()).toEqual({ id: 'w', status: 'stopped', type: 'worker' });
  });
});
