/**
 * memoryStore operations per second (put, get, and get + cas read-modify-writes on 100 keys).
 * Baseline: a plain Map of JSON text with a version counter, called directly — no promises, no
 * argument or JSON-value checks, no leases or fences. Target: ratio ≥ 0.3.
 */
import { memoryStore } from '../src/store/memory.js';
import { benchStore, type OpsSide, storeSide } from './store-ops.js';

function mapSide(): OpsSide {
  const map = new Map<string, { text: string; version: number }>();
  let version = 0;
  return {
    put(key, value) {
      map.set(key, { text: JSON.stringify(value), version: ++version });
    },
    get(key) {
      const e = map.get(key);
      return e === undefined ? undefined : { value: JSON.parse(e.text), version: e.version };
    },
    readModifyWrite(key, n) {
      const seen = map.get(key)?.version;
      if (map.get(key)?.version !== seen) return false;
      map.set(key, { text: JSON.stringify({ n, pad: 'x'.repeat(100) }), version: ++version });
      return true;
    },
  };
}

await benchStore({
  bench: 'store-memory',
  baselineName: 'Map of JSON text, synchronous, no checks',
  target: 0.3,
  ops: 20_000,
  rounds: 7,
  troupe: async () => storeSide(memoryStore()),
  baseline: async () => mapSide(),
});
