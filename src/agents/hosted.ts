/**
 * Hosting an agent's XState machine in a troupe cell with access to its system. A machine only
 * knows XState's `self`; an agent must spawn its workers as troupe children, read the system's
 * clock and emit inspection events, so its logic is troupe-native logic whose body runs the
 * machine with `{ system, self, input }` as the machine's input. The body is XState's actor as the
 * cell's other XState bodies run it: snapshots go to inspection, a crash or the end exits the cell.
 * @internal
 */
import { type AnyActor, type AnyEventObject, type AnyStateMachine, createActor, type Snapshot } from 'xstate';
import { type Body, kNativeLogic, type NativeLogic } from '../actors/body.js';
import type { ActorRef, BaseRef } from '../actors/ref.js';
import { ActorSystem } from '../actors/system.js';
import { TroupeError } from '../errors.js';

/** What a hosted agent machine receives as input. @internal */
export interface HostedInput<TInput = unknown> {
  system: ActorSystem;
  self: ActorRef;
  /** The spawn input (`system.spawn(logic, { input })`, a child spec's `input`). */
  input: TInput;
}

/** The part of its cell an agent body uses. */
interface CellView {
  readonly host: unknown;
  readonly ref: BaseRef;
  readonly address: string;
  onSnapshot(snapshot: Snapshot<unknown>): void;
  exit(reason: 'normal' | { error: unknown }): void;
}

/** Troupe-native logic that runs `machine` with its system and ref as input. @internal */
export function hostMachine(machine: AnyStateMachine): NativeLogic {
  const build = (cell: CellView, input: unknown): Body => {
    const system = cell.host;
    if (!(system instanceof ActorSystem))
      throw new TroupeError('TROUPE_ERR_NOT_LOCAL', `${cell.address}: an agent must run in an ActorSystem`);
    // the same view of a local ref that `system.spawn` returns
    return new AgentBody(cell, machine, { system, self: cell.ref as unknown as ActorRef, input });
  };
  return { [kNativeLogic]: build };
}

class AgentBody implements Body {
  readonly xstate: AnyActor;
  #quiet = false;

  constructor(cell: CellView, machine: AnyStateMachine, input: HostedInput) {
    this.xstate = createActor(machine, { clock: input.system.clock, input });
    this.xstate.subscribe({
      next: (snapshot) => cell.onSnapshot(snapshot),
      error: (error) => {
        if (!this.#quiet) cell.exit({ error });
      },
      complete: () => {
        if (!this.#quiet) cell.exit('normal');
      },
    });
  }

  start(): void {
    this.xstate.start();
  }

  deliver(event: AnyEventObject): void {
    this.xstate.send(event);
  }

  stop(): void {
    this.#quiet = true;
    this.xstate.stop();
  }

  snapshot(): Snapshot<unknown> {
    return this.xstate.getSnapshot();
  }
}
