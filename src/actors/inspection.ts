import type { ExitReason } from '../util/exit-reason.js';
import type { DeadLetter } from './dead-letters.js';

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

/**
 * An LLM request finished or failed (emitted by coordinators and LLM workers). Token counts are
 * the server's; `latencyMs` is measured with the system's clock.
 */
export interface LlmInspectionEvent {
  type: '@troupe.llm';
  node: string;
  /** Address of the agent that made the request. */
  actor: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  /** Correlates with the agent's task (`invoke_agent` span) when known. */
  taskId?: string;
  /** Tool calls the model made. */
  toolCalls?: number;
  /** The error code when the request failed. */
  error?: string;
}

/** A coordinator's decision record for one turn (see `docs/agents.md`). */
export interface DecisionInspectionEvent {
  type: '@troupe.decision';
  node: string;
  /** Address of the coordinator. */
  actor: string;
  taskId?: string;
  /** The decision record: `{ iteration, at, thought, calls, results, usage, limit? }`. */
  decision: {
    iteration: number;
    at: number;
    thought: string | null;
    calls: { id: string; worker: string; input: unknown }[];
    results: { id: string; ok: boolean; summary: string; error?: string }[];
    usage: { inputTokens: number; outputTokens: number; calls: number };
    limit?: string;
  };
  /** Set on the last record of a run: why it stopped. */
  stopReason?: string;
}

/**
 * A step of a coordination pattern or an agent's task: started, finished, failed, retried,
 * re-queued, cancelled. `pattern` names it (`'fan-out'`, `'work-queue'`, `'worker'`, …).
 */
export interface PatternInspectionEvent {
  type: '@troupe.pattern';
  node: string;
  pattern: string;
  /** The run, queue or task this step belongs to. */
  run: string;
  step: 'start' | 'task-start' | 'task-done' | 'task-failed' | 'task-retry' | 'task-requeued' | 'cancelled' | 'done' | 'failed';
  taskId?: string;
  /** The worker's address, when one ran the step. */
  worker?: string;
  detail?: string;
}

/** One event of a system's inspection stream. */
export type InspectionEvent =
  | LlmInspectionEvent
  | DecisionInspectionEvent
  | PatternInspectionEvent
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
