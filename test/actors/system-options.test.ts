import { describe, expect, it, vi } from 'vitest';
import { checkSystemOptions, logUnhandledExit } from '../../src/actors/system-options.js';

describe('system options', () => {
  it('accepts the options of new ActorSystem and undefined values of any other', () => {
    expect(() => checkSystemOptions({ node: 'n', throughput: 10, askTimeoutMs: 5, mailbox: {}, onUnhandledExit: () => {} })).not.toThrow();
    expect(() => checkSystemOptions({ listen: undefined })).not.toThrow();
  });

  it('refuses network options and typos, pointing at createSystem', () => {
    for (const key of ['listen', 'secret', 'tls', 'logic', 'heartbeat', 'askTimeout']) {
      expect(() => checkSystemOptions({ [key]: 1 })).toThrow(
        expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION', message: expect.stringContaining('createSystem') }),
      );
    }
    expect(() => checkSystemOptions(null as unknown as object)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
  });

  it('logs an unhandled exit as one line with the address and the error', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      logUnhandledExit({ node: 'n', address: 'troupe://n/c', error: new RangeError('far') });
      logUnhandledExit({ node: 'n', address: 'troupe://n/d', error: 'text' });
      expect(spy.mock.calls.map((c) => c[0])).toEqual([
        'troupe: troupe://n/c crashed and no supervisor handles it: RangeError: far',
        'troupe: troupe://n/d crashed and no supervisor handles it: text',
      ]);
    } finally {
      spy.mockRestore();
    }
  });
});
