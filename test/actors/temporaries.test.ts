import { describe, expect, it } from 'vitest';
import { Temporaries } from '../../src/actors/temporaries.js';
import type { ErrorCode } from '../../src/index.js';
import { SinkRef } from '../support/sink-ref.js';

class FakeTemp extends SinkRef {
  override address = '';
  readonly failures: ErrorCode[] = [];
  constructor(readonly target: string) {
    super();
  }
  fail(code: ErrorCode): void {
    this.failures.push(code);
  }
}

function registered(temps: Temporaries, target: string, kind = 'ask'): FakeTemp {
  const t = new FakeTemp(target);
  t.address = temps.register(t, kind);
  return t;
}

describe('Temporaries', () => {
  it('registers under an unguessable $<kind>.<id> path of this node and finds it again', () => {
    const temps = new Temporaries('n');
    const a = registered(temps, 'troupe://m/x');
    const b = registered(temps, 'troupe://m/x');
    expect(a.address).toMatch(/^troupe:\/\/n\/\$ask\.[A-Za-z0-9]{16}$/);
    expect(a.address).not.toBe(b.address);
    expect(temps.get(a.address.slice('troupe://n/'.length))).toBe(a);
    expect(temps.holds(a)).toBe(true);
    expect(temps.holds(new SinkRef(a.address))).toBe(false);
  });

  it('counts live temporaries by kind, and unregisters each once', () => {
    const temps = new Temporaries('n');
    const a = registered(temps, 'troupe://m/x', 'ask');
    registered(temps, 'troupe://m/x', 'stream');
    registered(temps, 'troupe://m/x', 'producer');
    expect(temps.count()).toBe(3);
    expect(temps.count('ask')).toBe(1);
    expect(temps.count('stream')).toBe(1);
    expect(temps.count('guard')).toBe(0);
    temps.unregister(a);
    temps.unregister(a);
    expect(temps.count('ask')).toBe(0);
    expect(temps.count()).toBe(2);
    expect(temps.holds(a)).toBe(false);
  });

  it('does not unregister a stranger that claims a live address', () => {
    const temps = new Temporaries('n');
    const a = registered(temps, 'troupe://m/x');
    const impostor = new FakeTemp('troupe://m/x');
    impostor.address = a.address;
    temps.unregister(impostor);
    expect(temps.holds(a)).toBe(true);
    expect(temps.count()).toBe(1);
  });

  it('fails the temporaries waiting on one node, or all of them', () => {
    const temps = new Temporaries('n');
    const onM = registered(temps, 'troupe://m/x');
    const onMM = registered(temps, 'troupe://mm/x');
    const local = registered(temps, 'troupe://n/y');
    temps.failWaitingOn('m', 'TROUPE_ERR_NODE_DOWN', 'm is down');
    expect(onM.failures).toEqual(['TROUPE_ERR_NODE_DOWN']);
    expect(onMM.failures).toEqual([]);
    temps.failAll('TROUPE_ERR_SYSTEM_STOPPED', 'bye');
    expect(local.failures).toEqual(['TROUPE_ERR_SYSTEM_STOPPED']);
    expect(onMM.failures).toEqual(['TROUPE_ERR_SYSTEM_STOPPED']);
  });
});
