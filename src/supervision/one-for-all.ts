import type { Supervisor, SupervisorStrategy } from './strategy.js';

/** Every child restarts: for children that cannot work without each other. */
export const oneForAll: SupervisorStrategy = {
  name: 'one-for-all',
  restartGroup<C>(supervisor: Supervisor<C>, _failed: C): readonly C[] {
    return supervisor.children();
  },
};
