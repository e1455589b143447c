/**
 * The seam between a system and the transport that links it to other nodes: everything the
 * transport may do to the actors of its node, and nothing more. The transport sees a
 * {@link TransportHost}, never the `ActorSystem` behind it; {@link transportHostOf} builds one.
 */
import type { AnyEventObject } from 'xstate';
import type { ErrorCode } from '../errors.js';
import type { Clock } from '../util/clock.js';
import type { ExitReason } from '../util/exit-reason.js';
import type { AskHost, Temporary, TempRef } from './ask.js';
import type { SpawnableLogic } from './body.js';
import type { DeadLetterReason } from './dead-letters.js';
import type { NodeInspectionEvent } from './inspection.js';
import { LocalRef } from './local-ref.js';
import type { BaseRef, StreamHost } from './ref.js';
import type { ActorSystem } from './system.js';
import type { RemoteProvider } from './system-options.js';

export type { PeerInfo } from './system-options.js';

/** A live local actor, as the transport delivers to it. */
export interface LocalTarget {
  readonly address: string;
  readonly status: 'running' | 'exited' | 'stopped';
  /** Queues a tell. */
  tell(event: AnyEventObject): void;
  /** Queues an asked event; the actor holds `temp` until it settles (its exit fails it). */
  tellAsk(event: AnyEventObject, temp: TempRef): void;
}

/** What the transport needs from the system of its node. */
export interface TransportHost {
  readonly node: string;
  readonly clock: Clock;
  readonly askTimeoutMs: number;
  /** Registers the reply refs of asks (local ones, and those peers send here). */
  readonly asks: AskHost;
  /** Opens the streams remote refs consume here. */
  readonly streams: StreamHost;
  /** Delivers an event that arrived for a local path: to a temporary, an actor, or dead letters. */
  deliver(path: string, event: AnyEventObject): void;
  /** The local actor at `path` (not a temporary), if any. */
  resolve(path: string): LocalTarget | undefined;
  /** The temporary (reply ref, stream end, orphan guard) registered at `path`, if any. */
  temporary(path: string): Temporary | undefined;
  /** Registers a temporary under a fresh `$<kind>.<id>` path; returns its address. */
  registerTemporary(temp: Temporary, kind: string): string;
  unregisterTemporary(temp: Temporary): void;
  /** Fails every temporary waiting on an actor of `node`. */
  failWaitingOn(node: string, code: ErrorCode, message: string): void;
  deadLetter(recipient: string, event: unknown, reason: DeadLetterReason): void;
  /** True while anyone observes inspection (build events only then). */
  readonly inspecting: boolean;
  /** Publishes a `@troupe.node` event. */
  report(event: NodeInspectionEvent): void;
  /** A ref to any address (remote ones come back through the installed provider). */
  ref(address: string): BaseRef;
  /** True when `ref` is an actor of this system. */
  owns(ref: unknown): boolean;
  spawn(logic: SpawnableLogic, options: { name?: string; input?: unknown; parent?: BaseRef }): BaseRef;
  stop(ref: BaseRef, reason: ExitReason): Promise<void>;
  /** Makes `provider` the system's way to other nodes; `ready` (its listener) becomes `system.ready`. */
  install(provider: RemoteProvider, ready?: Promise<void>): void;
}

/**
 * The {@link TransportHost} of `system`: the one place that turns the system's internals into
 * the seam (`createSystem` hands it to the transport).
 * @internal
 */
export function transportHostOf(system: ActorSystem): TransportHost {
  return {
    node: system.node,
    clock: system.clock,
    askTimeoutMs: system.askTimeoutMs,
    asks: system,
    streams: system,
    deliver: (path, event) => system._deliverLocal(path, event),
    resolve: (path) => system._resolvePath(path),
    temporary: (path) => system._temp(path),
    registerTemporary: (temp, kind) => system._registerTemp(temp, kind),
    unregisterTemporary: (temp) => system._unregisterTemp(temp),
    failWaitingOn: (node, code, message) => system._failTempsTo(node, code, message),
    deadLetter: (recipient, event, reason) => system._deadLetter(recipient, event, reason),
    get inspecting() {
      return system.inspection.active;
    },
    report: (event) => system.inspection.emit(event),
    ref: (address) => system.ref(address) as unknown as BaseRef,
    owns: (ref) => ref instanceof LocalRef && ref._cell.host === system,
    spawn: (logic, options) => system.spawn(logic, options) as unknown as BaseRef,
    stop: (ref, reason) => system.stop(ref, reason),
    install: (provider, ready) => {
      system._installRemote(provider);
      if (ready !== undefined) system.ready = ready;
    },
  };
}
