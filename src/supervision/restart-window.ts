import type { Clock } from '../util/clock.js';

/**
 * Counts restarts within a sliding time window, as OTP's `add_restart/1`: a restart is allowed
 * while at most `intensity` restarts (this one included) happened within the last `periodMs`.
 *
 * @example
 * ```ts
 * const window = new RestartWindow(3, 5000, clock);
 * if (!window.record()) escalate(); // the 4th restart within 5 s
 * ```
 */
export class RestartWindow {
  readonly #intensity: number;
  readonly #periodMs: number;
  readonly #clock: Clock;
  #times: number[] = [];
  #head = 0;

  constructor(intensity: number, periodMs: number, clock: Clock) {
    this.#intensity = intensity;
    this.#periodMs = periodMs;
    this.#clock = clock;
  }

  /** Restarts counted in the current window. */
  get count(): number {
    this.#expire(this.#clock.now());
    return this.#times.length - this.#head;
  }

  /** Records a restart now; false when it exceeds the intensity (the supervisor must give up). */
  record(): boolean {
    const now = this.#clock.now();
    this.#expire(now);
    this.#times.push(now);
    return this.#times.length - this.#head <= this.#intensity;
  }

  #expire(now: number): void {
    // OTP keeps restarts with `R >= Now - Period`: one exactly `periodMs` old still counts.
    const threshold = now - this.#periodMs;
    const times = this.#times;
    while (this.#head < times.length && times[this.#head] < threshold) this.#head++;
    if (this.#head > 32 && this.#head * 2 > times.length) {
      this.#times = times.slice(this.#head);
      this.#head = 0;
    }
  }
}
