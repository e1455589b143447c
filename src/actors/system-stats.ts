/** The per-actor counters of `system.stats()`, read from the cell tree. */
import type { Cell } from './cell.js';
import type { ActorStats } from './system-options.js';

/** One actor's counters. @internal */
export function actorStats(c: Cell): ActorStats {
  return {
    address: c.address,
    status: c.status,
    depth: c.mailbox.size,
    processed: c.processed,
    dropped: c.dropped,
    restarts: c.restarts,
    children: c.children?.size ?? 0,
  };
}

/** Every live actor's counters, parents before their children, in start order. Iterative: deep trees do not grow the stack. @internal */
export function treeStats(top: Iterable<Cell>): ActorStats[] {
  const out: ActorStats[] = [];
  const stack: Cell[] = [...top].reverse();
  for (let c = stack.pop(); c !== undefined; c = stack.pop()) {
    out.push(actorStats(c));
    if (c.children !== undefined && c.children.size > 0) stack.push(...[...c.children.values()].reverse());
  }
  return out;
}
