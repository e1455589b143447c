import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../src/index.js';
import { CreditWindow } from '../../src/streams/stream-credit.js';
import { SinkRef } from '../support/sink-ref.js';

function grants(producer: SinkRef): number[] {
  return producer.sent.map((e) => Number(e.n));
}

describe('CreditWindow', () => {
  it('grants consumed chunks back in batches of half the window', () => {
    const clock = new SimulatedClock();
    const producer = new SinkRef();
    const w = new CreditWindow(8, 1000, clock, () => producer);
    for (let i = 0; i < 8; i++) w.received();
    w.consumed(3);
    expect(producer.sent).toEqual([]);
    w.consumed(1);
    expect(producer.sent).toEqual([{ type: 'troupe.credit', n: 4 }]);
    w.consumed(4);
    expect(grants(producer)).toEqual([4, 4]);
  });

  it('keeps consumed chunks until a producer announced itself, then flushes them', () => {
    const clock = new SimulatedClock();
    const producer = new SinkRef();
    let grantee: SinkRef | undefined;
    const w = new CreditWindow(2, 1000, clock, () => grantee);
    w.consumed(5);
    expect(producer.sent).toEqual([]);
    grantee = producer;
    w.flush();
    expect(grants(producer)).toEqual([5]);
    w.flush();
    expect(grants(producer)).toEqual([5]);
  });

  it('once the window was used up for half the idle timeout, grants each consumed chunk at once (keep-alive)', () => {
    const clock = new SimulatedClock();
    const producer = new SinkRef();
    const w = new CreditWindow(4, 1000, clock, () => producer);
    for (let i = 0; i < 4; i++) w.received();
    clock.advance(499);
    w.consumed(1);
    expect(producer.sent).toEqual([]);
    clock.advance(1);
    expect(grants(producer)).toEqual([1]);
    for (let i = 0; i < 1; i++) w.received();
    clock.advance(500);
    expect(grants(producer)).toEqual([1]);
    w.consumed(1);
    expect(grants(producer)).toEqual([1, 1]);
  });

  it('a window of one still grants batches of one', () => {
    const producer = new SinkRef();
    const w = new CreditWindow(1, 1000, new SimulatedClock(), () => producer);
    w.received();
    w.consumed(1);
    expect(grants(producer)).toEqual([1]);
  });

  it('stop() clears the keep-alive timer', () => {
    const clock = new SimulatedClock();
    const producer = new SinkRef();
    const w = new CreditWindow(2, 1000, clock, () => producer);
    w.received();
    w.received();
    expect(clock.pending).toBe(1);
    w.stop();
    expect(clock.pending).toBe(0);
    clock.advance(5000);
    expect(producer.sent).toEqual([]);
  });
});
