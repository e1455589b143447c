/**
 * Progress of the demo's queue: a bar per worker node on a terminal (cli-progress), plain lines at
 * each quarter otherwise (a pipe, a test, CI), so logs stay short.
 */
import cliProgress from 'cli-progress';

/** What the demo reports progress to. */
export interface Progress {
  /** A task finished on `node`; `done` of `total` are finished. */
  tick(node: string, done: number): void;
  /** A line for the person watching (a kill, a re-queue). */
  note(text: string): void;
  stop(): void;
}

/** Bars on a TTY, milestone lines elsewhere. */
export function createProgress(nodes: readonly string[], total: number, print: (line: string) => void, tty: boolean): Progress {
  return tty ? barProgress(nodes, total) : lineProgress(total, print);
}

function barProgress(nodes: readonly string[], total: number): Progress {
  const multi = new cliProgress.MultiBar(
    { format: ' {node} |{bar}| {value} tasks', hideCursor: true, clearOnComplete: false, barsize: 30, autopadding: true },
    cliProgress.Presets.shades_classic,
  );
  const all = multi.create(total, 0, { node: 'all'.padEnd(10) });
  const bars = new Map(nodes.map((n) => [n, multi.create(total, 0, { node: n.padEnd(10) })]));
  const counts = new Map<string, number>();
  return {
    tick(node, done) {
      const n = (counts.get(node) ?? 0) + 1;
      counts.set(node, n);
      bars.get(node)?.update(n);
      all.update(done);
    },
    note(text) {
      multi.log(`${text}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}

function lineProgress(total: number, print: (line: string) => void): Progress {
  let next = 1;
  return {
    tick(_node, done) {
      while (next <= 4 && done >= Math.ceil((total * next) / 4)) {
        print(`  ${String(next * 25).padStart(3)}%  ${done}/${total} tasks done`);
        next++;
      }
    },
    note(text) {
      print(text);
    },
    stop() {},
  };
}
