/**
 * Remote asks/s with 1000 in flight, one node asking two peers (3 processes), against a raw ws + msgpackr client that batches per tick. Target: ratio ≥ 0.6.
 * See remote-ask-load.ts for both sides. `BENCH_ASKS` sets the asks per round (default 100,000).
 */
import { throughputBench } from './remote-ask-load.js';

await throughputBench(1000);
