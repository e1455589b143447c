import type { Supervisor, SupervisorStrategy } from './strategy.js';

/** Only the failed child restarts; its siblings are untouched. */
export const oneForOne: SupervisorStrategy = {
  name: 'one-for-one',
  restartGroup<C>(_supervisor: Supervisor<C>, failed: C): readonly C[] {
    return [failed];
  },
};
