import type { DeadLetter } from './dead-letters.js';
import type { ExitReason } from './exit-reason.js';

/** An actor was spawned, restarted or stopped. */
export interface ActorInspectionEvent {
  type: '@troupe.actor';
  node: string;
  address: string;
  status: 'spawned' | 'restarted' | 'stopped';
  parent?: string;
  reason?: ExitReason;
}

/** A message was accepted for delivery to `to`. */
export interface MessageInspectionEvent {
  type: '@troupe.message';
  node: string;
  to: string;
  from?: string;
  eventType: string;
  event: unknown;
}

/** An actor's snapshot changed. */
export interface StateInspectionEvent {
  type: '@troupe.state';
  node: string;
  address: string;
  /** The state value for machines, the snapshot's `context` otherwise. */
  value: unknown;
  status: string;
}

/** A full mailbox applied its overflow policy. */
export interface OverflowInspectionEvent {
  type: '@troupe.overflow';
  node: string;
  address: string;
  policy: string;
  capacity: number;
  eventType: string;
}

/** A message became a dead letter. */
export interface DeadLetterInspectionEvent extends DeadLetter {
  type: '@troupe.deadletter';
  node: string;
}

/** A supervisor restarted, escalated, gave up or shut down. */
export interface SupervisorInspectionEvent {
  type: '@troupe.supervisor';
  node: string;
  /** The supervisor's address. */
  address: string;
  action: 'restart' | 'restart-scheduled' | 'escalate' | 'shutdown' | 'child-terminated' | 'auto-shutdown' | 'start-failed';
  child?: string;
  reason?: ExitReason;
  detail?: string;
}

/** A node connected, disconnected, failed auth or sent a bad frame. */
export interface NodeInspectionEvent {
  type: '@troupe.node';
  node: string;
  peer?: string;
  status:
    | 'listening'
    | 'up'
    | 'down'
    | 'connecting'
    | 'auth-failed'
    | 'frame-error'
    | 'refused'
    | 'reconnecting'
    | 'unreachable'
    | 'closed';
  detail?: string;
  /** WebSocket close code, when a connection closed. */
  code?: number;
}

/** One event of a system's inspection stream. */
export type InspectionEvent =
  | ActorInspectionEvent
  | MessageInspectionEvent
  | StateInspectionEvent
  | OverflowInspectionEvent
  | DeadLetterInspectionEvent
  | SupervisorInspectionEvent
  | NodeInspectionEvent;

/** Receives inspection events. */
export type InspectionObserver = (event: InspectionEvent) => void;

/**
 * The inspection stream of one system. `active` is a plain field so that hot paths pay one
 * property read when nobody observes.
 * @internal
 */
export class InspectionBus {
  active = false;
  #observers = new Set<InspectionObserver>();

  subscribe(observer: InspectionObserver): { unsubscribe(): void } {
    this.#observers.add(observer);
    this.active = true;
    return {
      unsubscribe: () => {
        this.#observers.delete(observer);
        this.active = this.#observers.size > 0;
      },
    };
  }

  emit(event: InspectionEvent): void {
    for (const o of this.#observers) {
      try {
        o(event);
      } catch {
        // an observer's failure must not disturb the system it observes
      }
    }
  }
}
