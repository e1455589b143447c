/**
 * The XState machine every agent actor runs, so inspection shows where it is. A worker is
 * `idle → working → idle`; a coordinator is `idle → planning → dispatching → awaiting → planning …
 * → synthesizing → done | failed`. The protocol itself is served by a {@link TaskHost} invoked as
 * a callback actor: it lives as long as the machine, and its cleanup (the actor stopping) aborts
 * every running task.
 * @internal
 */
import { type AnyEventObject, fromCallback, sendTo, setup } from 'xstate';
import type { NativeLogic } from '../actors/body.js';
import { type HostedInput, hostMachine } from './hosted.js';
import { TaskHost, type TaskSpec } from './task-host.js';

/** The states of a worker's machine. */
export const WORKER_PHASES = ['idle', 'working'] as const;
/** The states of a coordinator's machine. */
export const COORDINATOR_PHASES = ['idle', 'planning', 'dispatching', 'awaiting', 'synthesizing', 'done', 'failed'] as const;

interface PhaseEvent {
  type: 'agent.phase';
  phase: string;
}

/**
 * Spawnable logic for an agent: a machine with one state per phase, driven by the host's phase
 * reports. `spec` is built once per incarnation from the spawn input.
 * @internal
 */
export function agentLogic(id: string, phases: readonly string[], spec: (hosted: HostedInput) => TaskSpec): NativeLogic {
  const host = fromCallback<AnyEventObject, HostedInput>(({ input, receive, sendBack }) => {
    let live = true;
    const taskHost = new TaskHost(spec(input), input.system, input.self, (phase) => {
      if (live) sendBack({ type: 'agent.phase', phase } satisfies PhaseEvent);
    });
    receive((event) => taskHost.handle(event));
    return () => {
      live = false;
      taskHost.stop();
    };
  });
  const states: Record<string, object> = {};
  for (const phase of phases) states[phase] = {};
  const machine = setup({
    types: { input: {} as HostedInput, context: {} as { hosted: HostedInput } },
    actors: { host },
  }).createMachine({
    id,
    initial: 'idle',
    context: ({ input }) => ({ hosted: input }),
    invoke: { id: 'host', src: 'host', input: ({ context }) => context.hosted },
    on: {
      // tasks, describe, cancel, a stream consumer's early end, and anything else (answered as invalid)
      '*': { actions: sendTo('host', ({ event }) => event) },
      'agent.phase': phases.map((phase) => ({
        guard: ({ event }: { event: AnyEventObject }) => (event as PhaseEvent).phase === phase,
        target: `.${phase}`,
      })),
    },
    states,
  });
  return hostMachine(machine);
}
