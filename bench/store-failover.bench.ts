/**
 * singleton failover time over real processes on one SQLite file: three candidate processes, the
 * holder is SIGKILLed 20 times in a row; failover is the time from the kill to the successor's first
 * append to the log (test/integration/fixtures/store-singleton-node.ts). Alternated with the kills,
 * 10 graceful handovers (`stop()` releases the lease, so no lapse is waited for) are the baseline.
 * Target (issue 11): every failover within 3 × leaseMs. `ratio` is the median failover ÷ leaseMs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sqliteStore } from '../src/store/sqlite.js';
import { StoreChild } from '../test/integration/fixtures/store-child.js';
import { lastToken, leaderAbove } from '../test/integration/fixtures/store-singleton-log.js';
import { median, report, round } from './report.js';

const LEASE_MS = 300;
const APPEND_MS = 10;
const KILLS = 20;
const GRACEFUL = 10;
const fixture = fileURLToPath(new URL('../test/integration/fixtures/store-singleton-node.ts', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'troupe-bench-failover-'));
const path = join(dir, 'store.db');
const store = sqliteStore({ path });
let children: StoreChild[] = [];
let nextId = 0;

async function candidate(): Promise<void> {
  const name = `n${++nextId}`;
  children.push(
    await StoreChild.start(fixture, name, [JSON.stringify({ kind: 'sqlite', path }), name, String(LEASE_MS), String(APPEND_MS)]),
  );
}

/** Takes the current leader out (SIGKILL, or a graceful stop()), returns ms until its successor's first append. */
async function handover(how: 'kill' | 'stop'): Promise<number> {
  const leader = await leaderAbove(store, (await lastToken(store)) - 1, 3);
  const victim = children.find((c) => c.name === leader.node)!;
  const before = await lastToken(store);
  const t0 = Date.now();
  if (how === 'kill') await victim.kill();
  else await victim.call('stop');
  const successor = await leaderAbove(store, before, 1);
  const ms = successor.t - t0;
  await victim.kill();
  children = children.filter((c) => c !== victim);
  await candidate();
  return ms;
}

try {
  for (let i = 0; i < 3; i++) await candidate();
  const kills: number[] = [];
  const graceful: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    kills.push(await handover('kill'));
    if (k % 2 === 1 && graceful.length < GRACEFUL) graceful.push(await handover('stop'));
  }
  const failover = median(kills);
  const max = Math.max(...kills);
  report({
    bench: 'store-failover',
    unit: 'ms',
    troupe: round(failover, 0),
    troupeMin: round(Math.min(...kills), 0),
    troupeMax: round(max, 0),
    baseline: round(median(graceful), 0),
    baselineName: 'graceful handover: stop() releases the lease (alternated with the kills)',
    baselineMin: round(Math.min(...graceful), 0),
    baselineMax: round(Math.max(...graceful), 0),
    ratio: round(failover / LEASE_MS, 3),
    ratioName: 'median failover ÷ leaseMs',
    target: `max <= 3 × leaseMs (${3 * LEASE_MS} ms)`,
    met: max <= 3 * LEASE_MS,
    stat: 'median of kills (min-max beside)',
    kills: KILLS,
    leaseMs: LEASE_MS,
    store: 'sqlite',
  });
} finally {
  for (const c of children) await c.kill();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
