import { Queue } from './queue.js';

/** Something a dispatcher can run: a cell with messages waiting. */
export interface Runnable {
  /** Process up to `budget` messages; return true if more are waiting. */
  run(budget: number): boolean;
}

/** Decides when mailboxes drain. */
export interface Dispatcher {
  /** Messages one actor may process before others get a turn. */
  readonly throughput: number;
  /** Queue `r` to run; callers schedule a runnable once until it runs. */
  schedule(r: Runnable): void;
}

/** Options of {@link createDispatcher}. */
export interface DispatcherOptions {
  /** Messages per actor per turn. Default 100. */
  throughput?: number;
  /** Longest run of actor turns before yielding to timers and I/O, ms. Default 4. */
  sliceMs?: number;
}

/**
 * The default dispatcher: ready actors wait in one FIFO run queue and take turns of up to
 * `throughput` messages. A drain starts in a microtask (low latency) and, after `sliceMs` of work,
 * continues in `setImmediate` so timers and sockets run even while actors ping-pong forever.
 */
export function createDispatcher(options: DispatcherOptions = {}): Dispatcher {
  return new EventLoopDispatcher(options.throughput ?? 100, options.sliceMs ?? 4);
}

class EventLoopDispatcher implements Dispatcher {
  readonly throughput: number;
  readonly #sliceMs: number;
  readonly #ready = new Queue<Runnable>();
  #armed = false;
  readonly #drain = () => this.#run();

  constructor(throughput: number, sliceMs: number) {
    this.throughput = throughput;
    this.#sliceMs = sliceMs;
  }

  schedule(r: Runnable): void {
    this.#ready.push(r);
    if (!this.#armed) {
      this.#armed = true;
      queueMicrotask(this.#drain);
    }
  }

  #run(): void {
    const ready = this.#ready;
    const deadline = performance.now() + this.#sliceMs;
    try {
      let r = ready.shift();
      while (r !== undefined) {
        if (runSafely(r, this.throughput)) ready.push(r);
        if (performance.now() > deadline) break;
        r = ready.shift();
      }
    } finally {
      if (ready.length > 0) setImmediate(this.#drain);
      else this.#armed = false;
    }
  }
}

/**
 * Drains at once, inside `send`, for deterministic tests. A send made while draining is queued and
 * handled before `send`'s caller regains control, never re-entrantly.
 */
export function createSyncDispatcher(throughput = 100): Dispatcher {
  const ready = new Queue<Runnable>();
  let running = false;
  return {
    throughput,
    schedule(r) {
      ready.push(r);
      if (running) return;
      running = true;
      try {
        for (let next = ready.shift(); next !== undefined; next = ready.shift()) {
          if (runSafely(next, throughput)) ready.push(next);
        }
      } finally {
        running = false;
      }
    },
  };
}

/**
 * Runs one turn. Runnables must not throw (cells turn failures into crashes); one that does anyway
 * is dropped rather than allowed to stop every other actor's delivery.
 */
function runSafely(r: Runnable, budget: number): boolean {
  try {
    return r.run(budget);
  } catch {
    return false;
  }
}
