import type { Clock, TimerHandle } from '../util/clock.js';

/** What a heartbeat acts on (compare nats.js `PH`): send a ping, give up on the peer. */
export interface Pinger {
  ping(): void;
  /** `missed` intervals passed without any traffic from the peer. */
  lost(missed: number): void;
}

/**
 * Failure detector of one link: every `intervalMs` it pings; any traffic from the peer (`ok()`)
 * resets the count; after `maxMissed` silent intervals it calls `lost` once and stops.
 *
 * @example
 * ```ts
 * const hb = new Heartbeat({ ping: () => link.send(PING), lost: () => link.close(4009, 'heartbeat') }, clock, 1000, 3);
 * hb.start();
 * link.onFrame = (f) => { hb.ok(); handle(f); };
 * ```
 */
export class Heartbeat {
  readonly #pinger: Pinger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #maxMissed: number;
  #missed = 0;
  #timer: TimerHandle | undefined;
  #running = false;
  readonly #tick = () => this.#beat();

  constructor(pinger: Pinger, clock: Clock, intervalMs: number, maxMissed: number) {
    this.#pinger = pinger;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#maxMissed = maxMissed;
  }

  /** Intervals since the peer was last heard. */
  get missed(): number {
    return this.#missed;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#missed = 0;
    this.#timer = this.#clock.setTimeout(this.#tick, this.#intervalMs);
  }

  /** The peer was heard from. */
  ok(): void {
    this.#missed = 0;
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #beat(): void {
    this.#timer = undefined;
    if (!this.#running) return;
    if (this.#missed >= this.#maxMissed) {
      this.#running = false;
      this.#pinger.lost(this.#missed);
      return;
    }
    this.#missed++;
    this.#pinger.ping();
    if (this.#running) this.#timer = this.#clock.setTimeout(this.#tick, this.#intervalMs);
  }
}
