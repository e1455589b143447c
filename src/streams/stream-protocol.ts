/**
 * The stream protocol: plain events between troupe refs, so a stream works the same between two
 * local actors and across nodes.
 *
 * ```
 * consumer                                   producer (fromStream actor, or a machine)
 *   ── { ...event, stream, streamOptions } ──▶  the request; `stream` is the consumer's ref
 *   ◀── troupe.stream.open { producer }  ──────  fromStream only: where credit and cancel go
 *   ◀── troupe.chunk { value }  ───────────────  at most `credit` ahead of consumption
 *   ── troupe.credit { n } ───────────────────▶  as the consumer takes chunks
 *   ◀── troupe.end | troupe.error { error, code? }
 *   ── troupe.stream.cancel { stream, code } ─▶  consumer ended early: break, abort, timeout
 * ```
 */
import type { AnyEventObject } from 'xstate';
import type { ActorRef, ReplyTo } from '../actors/ref.js';
import type { ErrorCode } from '../errors.js';

/** A chunk sent to a stream consumer. */
export interface ChunkEvent<TChunk = unknown> {
  type: 'troupe.chunk';
  value: TChunk;
}

/** The producer has no more chunks. */
export interface EndEvent {
  type: 'troupe.end';
}

/**
 * The producer failed. `error` is what it threw, as `{ name, message, code? }` (or whatever a
 * machine put there); `code`, when set, is the TroupeError code the consumer's iteration ends
 * with, else `TROUPE_ERR_STREAM_FAILED`.
 */
export interface StreamErrorEvent {
  type: 'troupe.error';
  error: unknown;
  code?: ErrorCode;
}

/** A credit-aware producer announces where credit and cancellation go. @internal */
export interface StreamOpenEvent {
  type: 'troupe.stream.open';
  producer: ActorRef;
}

/** The consumer took `n` more chunks: the producer may send `n` more. @internal */
export interface CreditEvent {
  type: 'troupe.credit';
  n: number;
}

/**
 * The consumer stopped early. Sent to the producer's session, or to the actor itself (with the
 * consumer's address in `stream`) before the session is known — a machine may handle it to stop
 * producing.
 */
export interface CancelEvent {
  type: 'troupe.stream.cancel';
  /** The consumer's address. */
  stream: string;
  code: ErrorCode;
  message: string;
}

/** What a stream request carries besides the user's event. */
export interface StreamRequestOptions {
  credit: number;
  idleTimeoutMs: number;
}

export const DEFAULT_CREDIT = 64;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_BUFFERED = 10_000;
/** Largest credit window or single grant accepted from the wire. */
export const MAX_CREDIT = 1 << 20;

/** Reads the stream options of a request from the wire, falling back to defaults on anything odd. */
export function readRequestOptions(event: AnyEventObject): StreamRequestOptions {
  const raw = (event as { streamOptions?: { credit?: unknown; idleTimeoutMs?: unknown } }).streamOptions;
  const credit = raw?.credit;
  const idle = raw?.idleTimeoutMs;
  return {
    credit: isCount(credit) ? credit : DEFAULT_CREDIT,
    idleTimeoutMs: typeof idle === 'number' && idle > 0 && Number.isFinite(idle) ? idle : DEFAULT_IDLE_TIMEOUT_MS,
  };
}

/** A whole number in 1..MAX_CREDIT. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CREDIT;
}

/**
 * The type of `stream` in a streaming request: the consumer's ref, a valid `sendTo` target.
 *
 * @example
 * ```ts
 * type Count = { type: 'count'; to: number; stream: StreamTo };
 * // in the machine: sendTo(({ event }) => event.stream, { type: 'troupe.chunk', value: 1 })
 * ```
 */
export type StreamTo = ReplyTo;
