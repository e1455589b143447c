import { describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import { createSystem, DeliveryError, errorClassOf, InvalidArgumentError, TroupeError } from '../../src/index.js';
import { MemoryNetwork } from '../../src/internal.js';
import { memoryPair } from '../transport/helpers.js';

/** What `p` rejects with. */
async function rejection(p: Promise<unknown>): Promise<TroupeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof TroupeError)) throw new Error(`expected a TroupeError, got ${String(err)}`);
  return err;
}

describe('the class of an error follows its code, wherever it is raised', () => {
  it('a node that is not there is a DeliveryError (NODE_DOWN) from connect, ask and spawnOn alike', async () => {
    const net = new MemoryNetwork();
    const system = createSystem({ node: 'alpha', secret: 'k', transport: net.transport() });
    try {
      const errors = [
        await rejection(system.connect('memory://127.0.0.1:1')),
        await rejection(system.ref('troupe://ghost/w1').ask({ type: 'x' }, { timeoutMs: 1000 })),
        await rejection(system.spawnOn('ghost', 'worker')),
      ];
      for (const err of errors) {
        expect(err.code).toBe('TROUPE_ERR_NODE_DOWN');
        expect(err.constructor).toBe(DeliveryError);
      }
    } finally {
      await system.shutdown();
    }
  });

  it('a missing actor is a DeliveryError (NO_ACTOR) from a local ask and from an ask across nodes', async () => {
    const pair = await memoryPair();
    try {
      const local = await rejection(pair.a.ref('troupe://alpha/nobody').ask({ type: 'x' }, { timeoutMs: 1000 }));
      const remote = await rejection(pair.b.ref('troupe://alpha/nobody').ask({ type: 'x' }, { timeoutMs: 1000 }));
      for (const err of [local, remote]) {
        expect(err.code).toBe('TROUPE_ERR_NO_ACTOR');
        expect(err.constructor).toBe(DeliveryError);
      }
    } finally {
      await pair.shutdown();
    }
  });

  it('a caller mistake found on the other node comes back as the class its code has (spawnOn with a bad name)', async () => {
    const pair = await memoryPair({ a: { logic: { worker: createMachine({}) } } });
    try {
      const err = await rejection(pair.b.spawnOn('alpha', 'worker', { name: 'bad name' }));
      expect(err.code).toBe('TROUPE_ERR_INVALID_NAME');
      expect(err.constructor).toBe(errorClassOf('TROUPE_ERR_INVALID_NAME'));
      expect(err).toBeInstanceOf(InvalidArgumentError);
    } finally {
      await pair.shutdown();
    }
  });
});
