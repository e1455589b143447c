import type { Supervisor, SupervisorStrategy } from './strategy.js';

/** The failed child and every child started after it restart: later children depend on earlier ones. */
export const restForOne: SupervisorStrategy = {
  name: 'rest-for-one',
  restartGroup<C>(supervisor: Supervisor<C>, failed: C): readonly C[] {
    return supervisor.startedFrom(failed);
  },
};
