import { SimulatedClock } from '../../src/index.js';
import type { ChildHandle, ChildRecord } from '../../src/supervision/child-record.js';
import type { ResolvedSpec } from '../../src/supervision/child-spec.js';
import type { ResolvedFlags } from '../../src/supervision/supervisor-flags.js';
import type { SupervisorContext, SupervisorHost, SupervisorPhase } from '../../src/supervision/supervisor-host.js';
import type { ExitReason } from '../../src/util/exit-reason.js';

/** A child handle that records calls; `stop` and `kill` report the exit through `exited` unless told to hang. */
export class FakeHandle implements ChildHandle<string> {
  readonly calls: string[] = [];
  hangOnStop = false;
  throwOnStop = false;
  exited: ((reason: ExitReason) => void) | undefined;
  constructor(readonly ref: string) {}
  stop(): void {
    this.calls.push('stop');
    if (this.throwOnStop) throw new Error('stop threw');
    if (!this.hangOnStop) this.exited?.('shutdown');
  }
  kill(): void {
    this.calls.push('kill');
    this.exited?.('killed');
  }
  restart(): void {
    this.calls.push('restart');
  }
  release(reason: ExitReason): void {
    this.calls.push(`release ${typeof reason === 'string' ? reason : 'error'}`);
  }
}

export function spec(id: string, overrides: Partial<ResolvedSpec<string>> = {}): ResolvedSpec<string> {
  return { id, logic: 'logic', input: undefined, restart: 'permanent', shutdownMs: 5000, significant: false, type: 'worker', ...overrides };
}

/** A SupervisorContext over fake handles, a simulated clock and an immediate run queue. */
export function fakeSupervisor(flags: Partial<ResolvedFlags<string>> = {}) {
  const clock = new SimulatedClock();
  const reports: string[] = [];
  const handles = new Map<string, FakeHandle>();
  const ops: { stopped?: (rec: ChildRecord<string, string>, reason: ExitReason) => void } = {};
  let phase: SupervisorPhase = 'active';
  let spawnFails = false;
  const host: SupervisorHost<string, string> = {
    clock,
    name: 'troupe://n/sup',
    spawn(s) {
      if (spawnFails) throw new Error('cannot start');
      const h = new FakeHandle(`ref-${s.id}`);
      handles.set(s.id, h);
      return h;
    },
    report(action, child, reason) {
      reports.push([action, child, typeof reason === 'string' ? reason : reason === undefined ? '' : 'error'].filter(Boolean).join(' '));
    },
    exit() {
      phase = 'dead';
    },
  };
  const context: SupervisorContext<string, string> = {
    host,
    flags: { strategy: 'one-for-one', intensity: 3, periodMs: 5000, backoff: undefined, autoShutdown: 'never', children: [], ...flags },
    children: new Map(),
    phase: () => phase,
    epoch: () => 0,
    run: (run) => run(() => {}),
    guard: (step) => step(),
    exitedAtStart: () => {},
  };
  return {
    clock,
    reports,
    handles,
    context,
    ops,
    setPhase(p: SupervisorPhase) {
      phase = p;
    },
    failSpawns(fail: boolean) {
      spawnFails = fail;
    },
  };
}
