/** One operation: runs until it calls `done`; `abort` answers it if it will never run. */
export interface SerialOp {
  run(done: () => void): void;
  abort?(): void;
}

/**
 * Runs operations one at a time, each until it calls its `done`, which may be at once or later
 * (a child that takes time to stop). An operation queued meanwhile waits its turn, as a message
 * waits in an Erlang process's mailbox while the process handles another.
 *
 * An operation that throws is over: it is answered with its `abort` (unless it called `done`
 * first), the error goes to `onError`, and the next operation runs. The queue is never left busy.
 *
 * @example
 * ```ts
 * const queue = new SerialQueue((error) => crash(error));
 * queue.run((done) => stopChildren(done));
 * queue.run((done) => { reply(counts()); done(); }); // after the stop completes
 * ```
 */
export class SerialQueue {
  readonly #onError: (error: unknown) => void;
  #ops: SerialOp[] = [];
  #busy = false;
  #closed = false;
  #generation = 0;

  /**
   * `onError` receives what an operation throws. By default it is rethrown to whoever made the queue
   * run; the queue is not busy then, and the operations still queued run at the next `run`.
   */
  constructor(
    onError: (error: unknown) => void = (error) => {
      throw error;
    },
  ) {
    this.#onError = onError;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues an operation; runs it now when nothing else is running. After `close`, aborts it instead. */
  run(run: SerialOp['run'], abort?: SerialOp['abort']): void {
    if (this.#closed) {
      abort?.();
      return;
    }
    this.#ops.push({ run, abort });
    if (!this.#busy) this.#drain();
  }

  /** Refuses further operations, abandons the running one (its `done` becomes a no-op) and aborts the queued ones. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#generation++;
    this.#busy = false;
    const ops = this.#ops;
    this.#ops = [];
    for (const op of ops) op.abort?.();
  }

  #drain(): void {
    while (!this.#busy && !this.#closed && this.#ops.length > 0) {
      const op = this.#ops.shift() as SerialOp;
      const generation = this.#generation;
      let sync = true;
      let finished = false;
      this.#busy = true;
      try {
        op.run(() => {
          if (finished || generation !== this.#generation) return;
          finished = true;
          this.#busy = false;
          if (!sync) this.#drain();
        });
      } catch (error) {
        sync = false;
        const abandoned = !finished && generation === this.#generation;
        finished = true;
        if (generation === this.#generation) this.#busy = false;
        if (abandoned) op.abort?.();
        this.#onError(error);
        continue;
      }
      sync = false;
    }
  }
}
