import { describe, expect, it } from 'vitest';
import { reasonFromWire } from '../../src/transport/envelope.js';

describe('reasonFromWire', () => {
  it('keeps the plain reasons and crashes', () => {
    for (const r of ['normal', 'shutdown', 'killed', 'noconnection', 'noproc']) expect(reasonFromWire(r)).toBe(r);
    expect(reasonFromWire({ error: 'boom' })).toEqual({ error: 'boom' });
  });

  it('turns anything else into a crash that says so', () => {
    expect(reasonFromWire('bogus')).toMatchObject({ error: { message: 'unreadable exit reason from the wire: string' } });
    expect(reasonFromWire(7)).toMatchObject({ error: { message: 'unreadable exit reason from the wire: number' } });
  });
});
