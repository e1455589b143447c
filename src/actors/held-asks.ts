/**
 * The asks a cell holds: asked events queued for it or taken by its body, each held until its
 * reply ref settles, so that the cell's exit can fail the ones it can no longer answer.
 */
import type { AnyEventObject } from 'xstate';
import type { ErrorCode } from '../errors.js';
import { describeReason, type ExitReason, isCrash } from '../util/exit-reason.js';
import type { AskHolder, TempRef } from './ask.js';

/** @internal */
export class HeldAsks implements AskHolder {
  readonly #asks = new Set<TempRef>();

  get size(): number {
    return this.#asks.size;
  }

  /** Holds `temp` until it settles. */
  hold(temp: TempRef): void {
    this.#asks.add(temp);
    temp._holdBy(this);
  }

  /** @internal A held ask settled. */
  _releaseAsk(temp: TempRef): void {
    this.#asks.delete(temp);
  }

  /**
   * Fails the asks whose events the ended body had already taken: it can no longer answer them
   * (as `gen_server:call` fails when the callee dies). Asks whose events are still `queued` wait
   * for the next body; the one being handled (`current`) is named in the message.
   */
  failHanded(address: string, reason: ExitReason, current: AnyEventObject | undefined, queued: ReadonlySet<unknown>): void {
    const crashed = isCrash(reason);
    for (const temp of [...this.#asks]) {
      if (queued.has(temp)) continue;
      const handling = current !== undefined && (current as { replyTo?: unknown }).replyTo === temp;
      if (crashed) {
        const what = handling ? `crashed handling ${(current as AnyEventObject).type}` : 'crashed before replying';
        temp.fail('TROUPE_ERR_ACTOR_FAILED', `${address} ${what}: ${describeReason(reason)}`, reason.error);
      } else {
        temp.fail('TROUPE_ERR_ACTOR_STOPPED', `${address} exited (${describeReason(reason)}) before replying`);
      }
    }
  }

  /** Fails every held ask with `code`: the cell is gone. */
  failAll(code: ErrorCode, message: string): void {
    const asks = [...this.#asks];
    this.#asks.clear();
    for (const temp of asks) temp.fail(code, message);
  }
}
