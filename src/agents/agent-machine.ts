/**
 * The XState machine every agent actor runs, so inspection shows where it is. A worker is
 * `idle → working → idle`; a coordinator is `idle → planning → dispatching → awaiting → planning …
 * → synthesizing → done | failed`. The protocol itself is served by a {@link TaskHost} beside the
 * machine (the body hands it every event): the machine holds the agent's state and changes it on
 * the host's phase reports, so a task costs XState a transition only when the state changes.
 * @internal
 */
import { type AnyEventObject, setup } from 'xstate';
import type { NativeLogic } from '../actors/body.js';
import { type HostedInput, hostAgent } from './hosted.js';
import { TaskHost, type TaskSpec } from './task-host.js';

/** The states of a worker's machine. */
export const WORKER_PHASES = ['idle', 'working'] as const;
/** The states of a coordinator's machine. */
export const COORDINATOR_PHASES = ['idle', 'planning', 'dispatching', 'awaiting', 'synthesizing', 'done', 'failed'] as const;

/** Moves the agent's machine to `phase`. */
export interface PhaseEvent {
  type: 'agent.phase';
  phase: string;
}

/**
 * Spawnable logic for an agent: a machine with one state per phase, and a task host built once
 * per incarnation from the spawn input.
 * @internal
 */
export function agentLogic(id: string, phases: readonly string[], spec: (hosted: HostedInput) => TaskSpec): NativeLogic {
  const states: Record<string, object> = {};
  for (const phase of phases) states[phase] = {};
  const machine = setup({ types: { events: {} as PhaseEvent } }).createMachine({
    id,
    initial: 'idle',
    on: {
      'agent.phase': phases.map((phase) => ({
        guard: ({ event }: { event: AnyEventObject }) => (event as PhaseEvent).phase === phase,
        target: `.${phase}`,
      })),
    },
    states,
  });
  return hostAgent(machine, (hosted, onPhase) => new TaskHost(spec(hosted), hosted.system, hosted.self, onPhase));
}
