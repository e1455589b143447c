import { describe, expect, it } from 'vitest';
import { HeldAsks } from '../../src/actors/held-asks.js';
import { SimulatedClock } from '../../src/index.js';
import { TempRef } from '../../src/internal.js';

function host() {
  return {
    clock: new SimulatedClock(),
    askTimeoutMs: 1000,
    _registerTemp: () => `troupe://n/$ask.${Math.random().toString(36).slice(2)}`,
    _unregisterTemp: () => {},
    _deadLetter: () => {},
  };
}

function pending(h: ReturnType<typeof host>) {
  let error: unknown;
  let value: unknown;
  const temp = new TempRef(
    h,
    'troupe://n/target',
    (v) => {
      value = v;
    },
    (e) => {
      error = e;
    },
  );
  return { temp, result: () => ({ value, error }) };
}

describe('HeldAsks', () => {
  it('holds an ask until it settles', () => {
    const h = host();
    const asks = new HeldAsks();
    const a = pending(h);
    asks.hold(a.temp);
    expect(asks.size).toBe(1);
    a.temp.send({ type: 'reply' });
    expect(asks.size).toBe(0);
    expect(a.result().value).toEqual({ type: 'reply' });
  });

  it('fails handed asks on an exit, ACTOR_FAILED for a crash naming the event, and keeps queued ones', () => {
    const h = host();
    const asks = new HeldAsks();
    const handled = pending(h);
    const queued = pending(h);
    asks.hold(handled.temp);
    asks.hold(queued.temp);
    asks.failHanded('troupe://n/c', { error: new Error('boom') }, { type: 'get', replyTo: handled.temp }, new Set([queued.temp]));
    expect(handled.result().error).toMatchObject({
      code: 'TROUPE_ERR_ACTOR_FAILED',
      message: expect.stringContaining('crashed handling get'),
    });
    expect(queued.result().error).toBeUndefined();
    asks.failHanded('troupe://n/c', 'shutdown', undefined, new Set());
    expect(queued.result().error).toMatchObject({ code: 'TROUPE_ERR_ACTOR_STOPPED', name: 'DeliveryError' });
  });

  it('failAll fails every held ask with the code given', () => {
    const h = host();
    const asks = new HeldAsks();
    const a = pending(h);
    asks.hold(a.temp);
    asks.failAll('TROUPE_ERR_ACTOR_STOPPED', 'gone');
    expect(a.result().error).toMatchObject({ code: 'TROUPE_ERR_ACTOR_STOPPED', message: 'gone' });
    expect(asks.size).toBe(0);
  });
});
