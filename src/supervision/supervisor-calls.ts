/** A supervisor's administrative calls (OTP's start_child, terminate_child, …), each answered with a CallResult. */
import { createError, type ErrorCode, TroupeError } from '../errors.js';
import { causeOf, describeReason, type ExitReason } from '../util/exit-reason.js';
import type { ChildOps } from './child-ops.js';
import { type ChildCounts, type ChildHandle, type ChildInfo, ChildRecord } from './child-record.js';
import { type ResolvedSpec, resolveChildSpec, type SpecRules } from './child-spec.js';
import type { CallResult, SupervisorContext } from './supervisor-host.js';

/**
 * Answers the administrative calls. Each runs as one operation of the supervisor's queue, so it
 * sees the children as the decisions before it left them; after the supervisor stopped, every call
 * is answered with `TROUPE_ERR_ACTOR_STOPPED`.
 */
export class SupervisorCalls<TLogic, TRef> {
  readonly #sup: SupervisorContext<TLogic, TRef>;
  readonly #ops: ChildOps<TLogic, TRef>;
  readonly #rules: Omit<SpecRules<TLogic>, 'significantAllowed'>;

  constructor(sup: SupervisorContext<TLogic, TRef>, ops: ChildOps<TLogic, TRef>, rules: Omit<SpecRules<TLogic>, 'significantAllowed'>) {
    this.#sup = sup;
    this.#ops = ops;
    this.#rules = rules;
  }

  startChild(spec: unknown, reply: (result: CallResult<TRef>) => void): void {
    let resolved: ResolvedSpec<TLogic>;
    try {
      resolved = resolveChildSpec(spec, { ...this.#rules, significantAllowed: this.#sup.flags.autoShutdown !== 'never' });
    } catch (error) {
      reply({ ok: false, error: error as TroupeError });
      return;
    }
    this.#call(reply, () => {
      const children = this.#sup.children;
      const existing = children.get(resolved.id);
      if (existing !== undefined) {
        return existing.running
          ? this.#error('TROUPE_ERR_ALREADY_STARTED', `child ${resolved.id} is already started`)
          : this.#error('TROUPE_ERR_ALREADY_PRESENT', `child ${resolved.id} is already present (not running)`);
      }
      const rec = new ChildRecord<TLogic, TRef>(resolved);
      children.set(rec.id, rec);
      return this.#startRequested(rec, true);
    });
  }

  restartChild(id: string, reply: (result: CallResult<TRef>) => void): void {
    this.#call(reply, () => {
      const rec = this.#stoppedChild<TRef>(id);
      return rec instanceof ChildRecord ? this.#startRequested(rec, false) : rec;
    });
  }

  terminateChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    if (this.#sup.phase() === 'dead') {
      this.#deadReply(reply);
      return;
    }
    this.#sup.run(
      (done) => {
        const rec = this.#sup.children.get(id);
        if (rec === undefined) {
          reply(this.#error('TROUPE_ERR_NOT_FOUND', `no child ${id}`));
          return done();
        }
        this.#ops.stopChild(rec, 'release', () => {
          reply({ ok: true, value: undefined });
          done();
        });
      },
      () => this.#deadReply(reply),
    );
  }

  deleteChild(id: string, reply: (result: CallResult<undefined>) => void): void {
    this.#call(reply, () => {
      const rec = this.#stoppedChild<undefined>(id);
      if (!(rec instanceof ChildRecord)) return rec;
      // A child left unstarted by a failed group restart still holds its cell: end it.
      if (rec.handle !== undefined) this.#ops.release(rec, 'shutdown');
      this.#sup.children.delete(id);
      return { ok: true, value: undefined };
    });
  }

  whichChildren(reply: (result: CallResult<ChildInfo<TRef>[]>) => void): void {
    this.#call(reply, () => ({ ok: true, value: [...this.#sup.children.values()].map((r) => r.info()) }));
  }

  countChildren(reply: (result: CallResult<ChildCounts>) => void): void {
    this.#call(reply, () => {
      const counts: ChildCounts = { specs: 0, active: 0, supervisors: 0, workers: 0 };
      for (const r of this.#sup.children.values()) {
        counts.specs++;
        if (r.running) counts.active++;
        if (r.spec.type === 'supervisor') counts.supervisors++;
        else counts.workers++;
      }
      return { ok: true, value: counts };
    });
  }

  /** The child `id`, if it exists and is stopped (OTP's rule for restart_child and delete_child); else the error to answer. */
  #stoppedChild<T>(id: string): ChildRecord<TLogic, TRef> | CallResult<T> {
    const rec = this.#sup.children.get(id);
    if (rec === undefined) return this.#error('TROUPE_ERR_NOT_FOUND', `no child ${id}`);
    if (rec.running) return this.#error('TROUPE_ERR_RUNNING', `child ${id} is running`);
    if (rec.state !== 'stopped') return this.#error('TROUPE_ERR_RESTARTING', `child ${id} is restarting`);
    return rec;
  }

  /** A start asked for by `startChild` (`fresh`: drop the spec on failure) or `restartChild`. */
  #startRequested(rec: ChildRecord<TLogic, TRef>, fresh: boolean): CallResult<TRef> {
    const failure = this.#ops.startOne(rec);
    const host = this.#sup.host;
    if (failure === undefined) {
      if (!fresh) host.report('restart', rec.id, undefined, 'requested');
      return { ok: true, value: (rec.handle as ChildHandle<TRef>).ref };
    }
    host.report('start-failed', rec.id, failure);
    this.#ops.release(rec, failure);
    if (fresh) this.#sup.children.delete(rec.id);
    return this.#error('TROUPE_ERR_START_FAILED', `child ${rec.id} failed to start (${describeReason(failure)})`, failure);
  }

  /** A call answered within one synchronous operation. */
  #call<T>(reply: (result: CallResult<T>) => void, body: () => CallResult<T>): void {
    if (this.#sup.phase() === 'dead') {
      this.#deadReply(reply);
      return;
    }
    this.#sup.run(
      (done) => {
        let result: CallResult<T>;
        try {
          result = body();
        } catch (error) {
          result = {
            ok: false,
            error: TroupeError.is(error) ? error : createError('TROUPE_ERR_ACTOR_FAILED', String(error), { cause: error }),
          };
        }
        done();
        reply(result);
      },
      () => this.#deadReply(reply),
    );
  }

  #deadReply<T>(reply: (result: CallResult<T>) => void): void {
    reply(this.#error('TROUPE_ERR_ACTOR_STOPPED', `supervisor ${this.#sup.host.name} has stopped`));
  }

  #error<T>(code: ErrorCode, message: string, reason?: ExitReason): CallResult<T> {
    return { ok: false, error: createError(code, `${this.#sup.host.name}: ${message}`, reason && causeOf(reason)) };
  }
}
