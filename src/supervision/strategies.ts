/** The strategy of each name. */
import { oneForAll } from './one-for-all.js';
import { oneForOne } from './one-for-one.js';
import { restForOne } from './rest-for-one.js';
import type { StrategyName, SupervisorStrategy } from './strategy.js';

/** The strategy of a name. */
export function strategyFor(name: StrategyName): SupervisorStrategy {
  switch (name) {
    case 'one-for-one':
      return oneForOne;
    case 'one-for-all':
      return oneForAll;
    case 'rest-for-one':
      return restForOne;
  }
}
