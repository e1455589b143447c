/**
 * p50 latency of remote asks with 1 in flight, one node asking two peers (3 processes), against raw ws + msgpackr request/response. Target: ratio ≤ 1.3.
 * See remote-ask-load.ts for both sides. `BENCH_ASKS` sets the asks per round (default 100,000).
 */
import { latencyBench } from './remote-ask-load.js';

await latencyBench();
