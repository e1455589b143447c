import { describe, expect, it } from 'vitest';
import { MessageTimeline } from '../../src/inspect/timeline.js';

const msg = (to: string, eventType: string, event: object = { type: eventType }) => ({
  type: '@troupe.message' as const,
  node: 'a',
  to,
  eventType,
  event,
});

describe('MessageTimeline', () => {
  it('keeps the newest messages with their times, and seq numbers that survive the ring wrapping', () => {
    const t = new MessageTimeline(3);
    for (let i = 0; i < 5; i++) t.push(msg('troupe://a/x', `e${i}`), 100 + i);
    expect([t.total, t.size]).toEqual([5, 3]);
    expect(t.page(0, 10).rows.map((r) => [r.seq, r.type, r.at])).toEqual([
      [2, 'e2', 102],
      [3, 'e3', 103],
      [4, 'e4', 104],
    ]);
    expect([t.indexOf(4), t.indexOf(1)]).toEqual([2, -1]);
  });

  it('links an ask to the message sent to its reply address, both ways', () => {
    const t = new MessageTimeline(10);
    t.push(msg('troupe://a/c', 'get', { type: 'get', replyTo: 'troupe://a/$ask-1' }), 1);
    t.push(msg('troupe://a/$ask-1', 'count'), 2);
    const [ask, reply] = t.page(0, 10).rows;
    expect(ask).toMatchObject({ ask: true, reply: 1 });
    expect(reply).toMatchObject({ replyTo: 0 });
  });
});
