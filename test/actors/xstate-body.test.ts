/**
 * XStateBody against a fake cell context, and a pin on the XState internals it relies on
 * (`observers`, `_send`, a detached `error`): an XState upgrade that changes them fails here,
 * loudly, before it breaks delivery in subtle ways.
 */
import { describe, expect, it } from 'vitest';
import { type AnyEventObject, assign, createActor, fromPromise, type Observer, type Snapshot, setup } from 'xstate';
import type { ExitReason } from '../../src/index.js';
import { refOf, SimulatedClock } from '../../src/index.js';
import { type NativeContext, XStateBody } from '../../src/internal.js';
import { SinkRef } from '../support/sink-ref.js';

const counter = setup({ types: { context: {} as { n: number }, events: {} as { type: 'inc' } | { type: 'fail' } } }).createMachine({
  context: { n: 0 },
  on: {
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    fail: {
      actions: () => {
        throw new Error('broken');
      },
    },
  },
});

describe('XState internals used by troupe', () => {
  it('an actor keeps its observers in a Set named `observers` that notifies on every snapshot', () => {
    const actor = createActor(counter);
    const observers = (actor as unknown as { observers?: unknown }).observers;
    expect(observers).toBeInstanceOf(Set);
    const seen: number[] = [];
    const observer: Observer<Snapshot<unknown>> = { next: (s) => seen.push((s as unknown as { context: { n: number } }).context.n) };
    (observers as Set<Observer<Snapshot<unknown>>>).add(observer);
    actor.start();
    actor.send({ type: 'inc' });
    expect(seen).toEqual([0, 1]);
  });

  it('`_send(event)` delivers synchronously, as send does, without a relay', () => {
    const actor = createActor(counter).start();
    const send = (actor as unknown as { _send?: (e: AnyEventObject) => void })._send;
    expect(typeof send).toBe('function');
    send?.call(actor, { type: 'inc' });
    expect(actor.getSnapshot().context.n).toBe(1);
  });

  it('calls an observer set member `error` detached from its object, and `complete` on it', () => {
    const actor = createActor(counter);
    let thisInError: unknown = 'unset';
    const observer = {
      next() {},
      error(this: unknown) {
        thisInError = this;
      },
    };
    (actor as unknown as { observers: Set<unknown> }).observers.add(observer);
    actor.start();
    actor.send({ type: 'fail' });
    expect(actor.getSnapshot().status).toBe('error');
    // xstate-body.ts makes `error` an arrow function because of this
    expect(thisInError === observer).toBe(false);
  });

  it('accepts a clock option and an actor reference exposes sessionId and system', () => {
    const actor = createActor(counter, {
      clock: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as never) },
    });
    expect(typeof actor.sessionId).toBe('string');
    expect(actor.system).toBeDefined();
  });
});

function fakeContext(): NativeContext & { exits: ExitReason[]; snapshots: Snapshot<unknown>[] } {
  const exits: ExitReason[] = [];
  const snapshots: Snapshot<unknown>[] = [];
  const ref = new SinkRef('troupe://n/body');
  const unused = () => {
    throw new Error('not used by an XState body');
  };
  return {
    exits,
    snapshots,
    address: ref.address,
    ref,
    host: {
      node: 'n',
      clock: new SimulatedClock(),
      askTimeoutMs: 1000,
      inspection: { active: false } as NativeContext['host']['inspection'],
      _registerTemp: unused,
      _unregisterTemp: unused,
      _deadLetter: unused,
    },
    onSnapshot: (s) => snapshots.push(s),
    exit: (reason) => exits.push(reason),
    supervise: unused,
    spawnChild: unused,
    childCells: () => [],
    unhandledExit: unused,
  };
}

describe('XStateBody', () => {
  it('reports every snapshot to its cell and delivers events in order', () => {
    const cx = fakeContext();
    const body = new XStateBody(cx, counter, undefined);
    body.start();
    body.deliver({ type: 'inc' });
    body.deliver({ type: 'inc' });
    expect(cx.snapshots.map((s) => (s as unknown as { context: { n: number } }).context.n)).toEqual([0, 1, 2]);
    expect(cx.exits).toEqual([]);
  });

  it('exits its cell with { error } on a crash and with normal when the logic finishes', async () => {
    const crashing = fakeContext();
    const body = new XStateBody(crashing, counter, undefined);
    body.start();
    body.deliver({ type: 'fail' });
    expect(crashing.exits).toHaveLength(1);
    expect((crashing.exits[0] as { error: Error }).error.message).toBe('broken');

    const finishing = fakeContext();
    new XStateBody(
      finishing,
      fromPromise(async () => 7),
      undefined,
    ).start();
    await new Promise((r) => setImmediate(r));
    expect(finishing.exits).toEqual(['normal']);
  });

  it('stop() ends the actor without reporting an exit', () => {
    const cx = fakeContext();
    const body = new XStateBody(cx, counter, undefined);
    body.start();
    body.stop();
    expect(body.xstate.getSnapshot().status).toBe('stopped');
    expect(cx.exits).toEqual([]);
  });

  it('makes refOf(self) the cell ref, and refuses actors troupe does not host', () => {
    const cx = fakeContext();
    const body = new XStateBody(cx, counter, undefined);
    expect(refOf(body.xstate)).toBe(cx.ref);
    expect(refOf(cx.ref)).toBe(cx.ref);
    expect(() => refOf(createActor(counter))).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_NOT_LOCAL' }));
  });
});
