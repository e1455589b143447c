import { describe, expect, it } from 'vitest';
import { ActorSystem, createSystem, fromStream } from '../src/index.js';

describe('createSystem', () => {
  it('composes a system with streams (and a transport), and passes the system options on', async () => {
    const system = createSystem({ node: 'composed', askTimeoutMs: 1234, throughput: 7 });
    try {
      expect(system).toBeInstanceOf(ActorSystem);
      expect(system.node).toBe('composed');
      expect(system.askTimeoutMs).toBe(1234);
      expect(system.dispatcher.throughput).toBe(7);
      const s = system.spawn(
        fromStream(async function* () {
          yield 'streams are plugged in';
        }),
      );
      const got: string[] = [];
      for await (const v of s.stream<string>({ type: 'go' })) got.push(v);
      expect(got).toEqual(['streams are plugged in']);
      expect(system.listenAddress).toBeUndefined();
    } finally {
      await system.shutdown();
    }
  });

  it('refuses bad options at once', () => {
    expect(() => createSystem({ throughput: 0 })).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
    expect(() => createSystem({ node: 'bad/node' })).toThrow(expect.objectContaining({ name: 'InvalidArgumentError' }));
  });
});
