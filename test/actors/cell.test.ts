import { describe, expect, it } from 'vitest';
import { type AnyEventObject, assign, sendTo, setup } from 'xstate';
import type { Temporary } from '../../src/actors/ask.js';
import type { DeadLetterReason, ExitReason, ReplyTo } from '../../src/index.js';
import { createSyncDispatcher, SimulatedClock } from '../../src/index.js';
import {
  type Body,
  Cell,
  type CellHost,
  type CellSettings,
  InspectionBus,
  kNativeLogic,
  type NativeContext,
  type NativeLogic,
  type SpawnableLogic,
} from '../../src/internal.js';
import { SinkRef } from '../support/sink-ref.js';

/** A host that records what a cell reports, with a synchronous dispatcher and a simulated clock. */
class FakeHost implements CellHost {
  readonly node = 'n';
  readonly clock = new SimulatedClock();
  readonly dispatcher = createSyncDispatcher(100);
  readonly inspection = new InspectionBus();
  readonly askTimeoutMs = 1000;
  readonly letters: { recipient: string; event: unknown; reason: DeadLetterReason }[] = [];
  readonly stopped: Cell[] = [];
  readonly unhandled: ExitReason[] = [];
  failDeadLetters = false;
  #temps = 0;

  _deadLetter(recipient: string, event: unknown, reason: DeadLetterReason): void {
    this.letters.push({ recipient, event, reason });
    if (this.failDeadLetters) throw new Error('dead letters are broken');
  }
  _registerTemp(): string {
    return `troupe://n/$ask.${++this.#temps}`;
  }
  _unregisterTemp(_temp: Temporary): void {}
  _openStream<T>(): AsyncIterableIterator<T> {
    throw new Error('no streams here');
  }
  _cellStopped(cell: Cell): void {
    this.stopped.push(cell);
  }
  _unhandledExit(_cell: Cell, reason: ExitReason): void {
    this.unhandled.push(reason);
  }
  _spawnChild(parent: Cell, name: string, logic: SpawnableLogic, settings: CellSettings): Cell {
    const child = new Cell(this, parent, name, logic, settings);
    parent.addChild(child);
    child.start();
    return child;
  }
}

const counter = setup({
  types: { context: {} as { n: number }, events: {} as { type: 'inc' } | { type: 'get'; replyTo: ReplyTo } | { type: 'boom' } },
}).createMachine({
  context: { n: 0 },
  on: {
    inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
    get: {
      actions: sendTo(
        ({ event }) => event.replyTo,
        ({ context }) => ({ type: 'count', value: context.n }),
      ),
    },
    boom: {
      actions: () => {
        throw new Error('boom');
      },
    },
  },
});

/** Native logic whose body records deliveries and can be told to throw. */
function native(log: AnyEventObject[], opts: { throwOnDeliver?: boolean; throwOnStop?: boolean } = {}): NativeLogic {
  return {
    [kNativeLogic]: (_cx: NativeContext): Body => ({
      start() {},
      deliver(event) {
        log.push(event);
        if (opts.throwOnDeliver) throw new Error('deliver failed');
      },
      stop() {
        if (opts.throwOnStop) throw new Error('stop failed');
      },
    }),
  };
}

function spawn(host: FakeHost, name: string, logic: SpawnableLogic, parent?: Cell): Cell {
  const cell = new Cell(host, parent, name, logic, {});
  parent?.addChild(cell);
  cell.start();
  return cell;
}

describe('Cell', () => {
  it('runs a machine: messages in order, address from the tree, counters', () => {
    const host = new FakeHost();
    const parent = spawn(host, 'app', counter);
    const c = spawn(host, 'c', counter, parent);
    expect(c.address).toBe('troupe://n/app/c');
    expect(c.path).toBe('app/c');
    c.tell({ type: 'inc' });
    c.tell({ type: 'inc' });
    const reply = new SinkRef();
    c.tell({ type: 'get', replyTo: reply });
    expect(reply.sent).toEqual([{ type: 'count', value: 2 }]);
    expect(c.processed).toBe(3);
    expect(c.xstate?.getSnapshot().status).toBe('active');
  });

  it('dead-letters invalid events and messages to a stopped cell', () => {
    const host = new FakeHost();
    const c = spawn(host, 'c', counter);
    c.tell({ nope: true } as unknown as AnyEventObject);
    c.terminate('shutdown');
    c.tell({ type: 'inc' });
    expect(host.letters.map((l) => l.reason)).toEqual(['invalid-event', 'stopped']);
    expect(host.stopped).toEqual([c]);
  });

  it('a crash without a policy is an unhandled exit, then the cell is finalized; watchers hear once', () => {
    const host = new FakeHost();
    const c = spawn(host, 'c', counter);
    const watcher = new SinkRef('troupe://n/w');
    c.watch(watcher);
    c.tell({ type: 'boom' });
    expect(c.status).toBe('stopped');
    expect(host.unhandled).toHaveLength(1);
    expect(watcher.downs).toHaveLength(1);
    expect(watcher.downs[0]?.address).toBe('troupe://n/c');
  });

  it('keeps the final snapshot of a body that crashed by itself, not of one stopped from outside', () => {
    const host = new FakeHost();
    const crashed = spawn(host, 'a', counter);
    crashed.tell({ type: 'boom' });
    expect(crashed.finalSnapshot?.status).toBe('error');
    const stopped = spawn(host, 'b', counter);
    stopped.terminate('shutdown');
    expect(stopped.finalSnapshot).toBeUndefined();
  });

  it('ignores a watcher that has already stopped', () => {
    const host = new FakeHost();
    const c = spawn(host, 'c', counter);
    const gone = new SinkRef('troupe://n/gone');
    gone.alive = false;
    c.watch(gone);
    c.terminate('shutdown');
    expect(gone.downs).toEqual([]);
  });

  it('a watch on a stopped cell is answered at once with noproc', () => {
    const host = new FakeHost();
    const c = spawn(host, 'c', counter);
    c.terminate('shutdown');
    const watcher = new SinkRef('troupe://n/w');
    c.watch(watcher);
    expect(watcher.downs).toEqual([{ type: 'troupe.down', address: 'troupe://n/c', reason: 'noproc' }]);
  });

  it('with a policy, the parent decides: restart keeps the queue and the cell, finalize ends it', () => {
    const host = new FakeHost();
    const log: AnyEventObject[] = [];
    const exits: ExitReason[] = [];
    const parent = spawn(host, 'p', native(log));
    parent.supervise({
      childExited: (child, reason) => {
        exits.push(reason);
        child.restart();
      },
      terminateChildren: () => {
        for (const c of parent.childCells().reverse()) c.terminate('shutdown');
      },
    });
    const child = parent.spawnChild('w', counter, {});
    child.tell({ type: 'inc' });
    child.tell({ type: 'boom' });
    expect(exits).toHaveLength(1);
    expect(child.status).toBe('running');
    expect(child.restarts).toBe(1);
    parent.terminate('shutdown');
    expect(child.status).toBe('stopped');
    expect(host.stopped.map((c) => c.name)).toEqual(['w', 'p']);
  });

  it('whenExited resolves when the body ends', async () => {
    const host = new FakeHost();
    const c = spawn(host, 'c', counter);
    const exited = c.whenExited();
    c.exit('shutdown');
    await exited;
    expect(c.status).toBe('stopped');
  });

  it('keeps the dispatcher out of a throwing native body: the crash ends only that cell', () => {
    const host = new FakeHost();
    const log: AnyEventObject[] = [];
    const bad = spawn(host, 'bad', native(log, { throwOnDeliver: true, throwOnStop: true }));
    const good = spawn(host, 'good', counter);
    bad.tell({ type: 'x' });
    good.tell({ type: 'inc' });
    expect(bad.status).toBe('stopped');
    expect(good.processed).toBe(1);
    expect(host.stopped).toEqual([bad]);
  });

  describe('regressions', () => {
    it('a turn that throws does not leave the cell scheduled forever: the next message runs it', () => {
      const host = new FakeHost();
      const c = spawn(host, 'c', counter);
      let reads = 0;
      const mailbox = c.mailbox;
      const runnable = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(mailbox), 'runnable');
      Object.defineProperty(mailbox, 'runnable', {
        configurable: true,
        get() {
          // the 1st read schedules the cell (in tell), the 2nd ends its turn: that one throws
          if (++reads === 2) throw new Error('turn broke');
          return runnable?.get?.call(mailbox);
        },
      });
      c.tell({ type: 'inc' }); // handled, then the end of the turn throws; the dispatcher drops the turn
      expect(c.processed).toBe(1);
      c.tell({ type: 'inc' });
      expect(c.processed).toBe(2);
      expect(c.xstate?.getSnapshot().context).toEqual({ n: 2 });
    });

    it('a throw while finalizing a crash still frees the name and counts the cell out once', () => {
      const host = new FakeHost();
      const parent = spawn(host, 'p', counter);
      const log: AnyEventObject[] = [];
      const c = spawn(host, 'c', native(log, { throwOnDeliver: true }), parent);
      c.mailbox.suspended = true;
      c.tell({ type: 'first' });
      c.tell({ type: 'queued' }); // becomes a dead letter when the cell is finalized, and that throws
      host.failDeadLetters = true;
      c.mailbox.suspended = false;
      c.tell({ type: 'go' });
      host.failDeadLetters = false;
      expect(c.status).toBe('stopped');
      expect(parent.children?.has('c')).toBe(false);
      expect(host.stopped.filter((s) => s === c)).toHaveLength(1);
    });
  });
});
