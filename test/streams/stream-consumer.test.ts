import { describe, expect, it } from 'vitest';
import type { AnyEventObject } from 'xstate';
import type { DownEvent, TroupeError } from '../../src/index.js';
import { SimulatedClock } from '../../src/index.js';
import { ConsumerRef } from '../../src/internal.js';
import { SinkRef } from '../support/sink-ref.js';

function setup(accept = true) {
  const letters: { event: unknown; reason: string }[] = [];
  const registered = new Set<string>();
  const host = {
    clock: new SimulatedClock(),
    askTimeoutMs: 1000,
    _registerTemp: () => {
      const address = `troupe://n/$stream.${registered.size + 1}`;
      registered.add(address);
      return address;
    },
    _unregisterTemp: (t: { address: string }) => {
      registered.delete(t.address);
    },
    _deadLetter: (_r: string, event: unknown, reason: string) => {
      letters.push({ event, reason });
    },
  };
  const received: AnyEventObject[] = [];
  const downs: DownEvent[] = [];
  const failures: { error: TroupeError; fromHost: boolean }[] = [];
  const sink = {
    _receive: (e: AnyEventObject) => {
      received.push(e);
      return accept;
    },
    _down: (e: DownEvent) => downs.push(e),
    _fail: (error: TroupeError, fromHost: boolean) => failures.push({ error, fromHost }),
  };
  const consumer = new ConsumerRef(host, 'troupe://m/producer', sink);
  return { consumer, letters, registered, received, downs, failures };
}

describe('ConsumerRef', () => {
  it('registers as a stream temporary and hands protocol events to its stream', () => {
    const s = setup();
    expect(s.consumer.address).toBe('troupe://n/$stream.1');
    expect(s.consumer.target).toBe('troupe://m/producer');
    s.consumer.send({ type: 'troupe.chunk', value: 1 });
    expect(s.received).toEqual([{ type: 'troupe.chunk', value: 1 }]);
  });

  it('dead-letters what its stream refuses, and everything once closed', () => {
    const s = setup(false);
    s.consumer.send({ type: 'odd' });
    s.consumer._close('normal');
    s.consumer.send({ type: 'troupe.chunk', value: 2 });
    expect(s.letters.map((l) => l.reason)).toEqual(['invalid-event', 'stopped']);
    expect(s.registered.size).toBe(0);
  });

  it('fails its stream with the class of the code, from the host, and not after it closed', () => {
    const s = setup();
    s.consumer.fail('TROUPE_ERR_NODE_DOWN', 'm is down');
    expect(s.failures[0]?.fromHost).toBe(true);
    expect(s.failures[0]?.error).toMatchObject({ code: 'TROUPE_ERR_NODE_DOWN', name: 'DeliveryError' });
    s.consumer._close({ error: s.failures[0]?.error });
    s.consumer.fail('TROUPE_ERR_TIMEOUT', 'late');
    expect(s.failures).toHaveLength(1);
  });

  it('is watchable until its stream ends, and cannot be asked', async () => {
    const s = setup();
    const watcher = new SinkRef('troupe://n/w');
    s.consumer._watch(watcher);
    s.consumer._close('normal');
    expect(watcher.downs).toEqual([{ type: 'troupe.down', address: s.consumer.address, reason: 'normal' }]);
    const late = new SinkRef('troupe://n/late');
    s.consumer._watch(late);
    expect(late.downs[0]?.reason).toBe('noproc');
    await expect(s.consumer.ask()).rejects.toMatchObject({ code: 'TROUPE_ERR_INVALID_EVENT' });
  });
});
