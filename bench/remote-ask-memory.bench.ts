/**
 * Memory over many remote asks: one node asking two peers (3 processes, see remote-ask-load.ts),
 * 1,000 in flight, `BENCH_ASKS` asks in all (default 10,000,000; the figure), in blocks of
 * a tenth. After each block this process collects garbage and reads its RSS and heap. Result: RSS
 * after the last block ÷ RSS after the first block, troupe (target ≤ 1.10: flat within 10 %).
 * Baseline: the raw ws + msgpackr client batching per tick, the same asks in the same process
 * after troupe's run, the same figure. A flatness figure has no rounds to alternate: each side
 * runs once, troupe first; `troupeRssMb` lists troupe's RSS after every block (the trend).
 */

import { type Asker, load, startRig } from './remote-ask-load.js';
import { gc, report, round } from './report.js';

const TOTAL = Number(process.env.BENCH_ASKS ?? 10_000_000);
const BLOCKS = 10;
const IN_FLIGHT = 1000;
const TARGET = 1.1;

interface Run {
  rssMb: number[];
  heapMb: number[];
  asksPerSecond: number;
}

async function run(ask: Asker): Promise<Run> {
  const block = Math.ceil(TOTAL / BLOCKS);
  const rssMb: number[] = [];
  const heapMb: number[] = [];
  let ms = 0;
  for (let b = 0; b < BLOCKS; b++) {
    ms += await load(ask, block, IN_FLIGHT);
    gc();
    gc();
    const m = process.memoryUsage();
    rssMb.push(round(m.rss / 2 ** 20));
    heapMb.push(round(m.heapUsed / 2 ** 20));
  }
  return { rssMb, heapMb, asksPerSecond: Math.round(((block * BLOCKS) / ms) * 1000) };
}

const rig = await startRig();
await load(rig.troupe, 20_000, IN_FLIGHT);
await load(rig.raw, 20_000, IN_FLIGHT);
const troupe = await run(rig.troupe);
const raw = await run(rig.raw);
const stats = rig.system.stats();
await rig.close();

const growth = (r: Run) => r.rssMb[BLOCKS - 1] / r.rssMb[0];
const ratio = growth(troupe);
report({
  bench: 'remote-ask-memory',
  unit: `RSS after GC, last block ÷ first block (${TOTAL} asks, ${IN_FLIGHT} in flight)`,
  troupe: round(ratio, 3),
  baseline: round(growth(raw), 3),
  baselineName: 'raw ws + msgpackr client batching per tick, same asks, same process, after troupe',
  ratio: round(ratio, 3),
  target: `troupe <= ${TARGET}`,
  met: ratio <= TARGET,
  asks: TOTAL,
  blocks: BLOCKS,
  stat: 'one run per side; RSS and heapUsed after gc() at the end of every block',
  troupeRssMb: troupe.rssMb,
  troupeHeapMb: troupe.heapMb,
  baselineRssMb: raw.rssMb,
  baselineHeapMb: raw.heapMb,
  troupeAsksPerSecond: troupe.asksPerSecond,
  baselineAsksPerSecond: raw.asksPerSecond,
  actorsLeft: stats.actors,
});
