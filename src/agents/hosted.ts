/**
 * Hosting an agent in a troupe cell: its XState machine (the state inspection shows) and the task
 * host that serves the worker protocol, with access to the actor's system. A machine only knows
 * XState's `self`; an agent must spawn its workers as troupe children, read the system's clock and
 * emit inspection events, so its logic is troupe-native logic whose body runs both. Snapshots go
 * to inspection like any XState body's; a crash of the machine exits the cell.
 * @internal
 */
import { type AnyActor, type AnyEventObject, type AnyStateMachine, createActor, type Snapshot } from 'xstate';
import { type Body, kNativeLogic, type NativeLogic } from '../actors/body.js';
import type { ActorRef, BaseRef } from '../actors/ref.js';
import { ActorSystem } from '../actors/system.js';
import { createError } from '../errors.js';

/** What an agent's task host is built with. @internal */
export interface HostedInput<TInput = unknown> {
  system: ActorSystem;
  self: ActorRef;
  /** The spawn input (`system.spawn(logic, { input })`, a child spec's `input`). */
  input: TInput;
}

/** What the body hands events to, and stops with the actor. @internal */
export interface EventHost {
  handle(event: AnyEventObject): void;
  stop(): void;
}

/** The part of its cell an agent body uses. */
interface CellView {
  readonly host: unknown;
  readonly ref: BaseRef;
  readonly address: string;
  onSnapshot(snapshot: Snapshot<unknown>): void;
  exit(reason: 'normal' | { error: unknown }): void;
}

/**
 * Troupe-native logic that runs `machine` beside the host `makeHost` builds; the host moves the
 * machine with `onPhase`.
 * @internal
 */
export function hostAgent(
  machine: AnyStateMachine,
  makeHost: (hosted: HostedInput, onPhase: (phase: string) => void) => EventHost,
): NativeLogic {
  const build = (cell: CellView, input: unknown): Body => {
    const system = cell.host;
    if (!(system instanceof ActorSystem)) throw createError('TROUPE_ERR_NOT_LOCAL', `${cell.address}: an agent must run in an ActorSystem`);
    // the same view of a local ref that `system.spawn` returns
    return new AgentBody(cell, machine, { system, self: cell.ref as unknown as ActorRef, input }, makeHost);
  };
  return { [kNativeLogic]: build };
}

class AgentBody implements Body {
  readonly xstate: AnyActor;
  readonly #hosted: HostedInput;
  readonly #makeHost: (hosted: HostedInput, onPhase: (phase: string) => void) => EventHost;
  #host: EventHost | undefined;
  #quiet = false;

  constructor(
    cell: CellView,
    machine: AnyStateMachine,
    hosted: HostedInput,
    makeHost: (hosted: HostedInput, onPhase: (phase: string) => void) => EventHost,
  ) {
    this.#hosted = hosted;
    this.#makeHost = makeHost;
    this.xstate = createActor(machine, { clock: hosted.system.clock });
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
    // built after the machine runs: a coordinator spawns its workers here, as children of a running actor
    this.#host = this.#makeHost(this.#hosted, (phase) => {
      const event: AnyEventObject = { type: 'agent.phase', phase };
      if (!this.#quiet) this.xstate.send(event);
    });
  }

  deliver(event: AnyEventObject): void {
    this.#host?.handle(event);
  }

  stop(): void {
    this.#quiet = true;
    this.#host?.stop();
    this.xstate.stop();
  }

  snapshot(): Snapshot<unknown> {
    return this.xstate.getSnapshot();
  }
}
