import type { AnyEventObject } from 'xstate';
import type { ExitReason } from '../util/exit-reason.js';

/**
 * What travels between nodes: a frame is a msgpack array of envelopes, each an array whose first
 * item is its kind. Paths are local to the receiving node; addresses are full `troupe://` ones.
 */
export const Kind = {
  /** `[1, path, event]`: a tell. */
  SEND: 1,
  /** `[2, path, event, replyPath, timeoutMs]`: an ask; the reply is a SEND to `replyPath`, a failure an ASK_FAIL. */
  ASK: 2,
  /** `[3, replyPath, code, message]`: the ask waiting at `replyPath` failed. */
  ASK_FAIL: 3,
  /** `[4, targetPath, watcherAddress]`: send a DOWN to the watcher when the target exits. */
  WATCH: 4,
  /** `[5, targetPath, watcherAddress]` */
  UNWATCH: 5,
  /** `[6, watcherPath, targetAddress, reason]` */
  DOWN: 6,
  /** `[7, id, op, args]`: a control request (`spawn`, `stop`). */
  CALL: 7,
  /** `[8, id, true, value]` or `[8, id, false, code, message]` */
  RESULT: 8,
  /** `[9]`: heartbeat; answered with PONG. */
  PING: 9,
  /** `[10]` */
  PONG: 10,
  /** `[11, path, events]`: consecutive tells to one actor, coalesced when a frame is written. */
  SEND_BATCH: 11,
  /** `[20, version, node, nonce]`: the listener's challenge. */
  HELLO: 20,
  /** `[21, version, node, nonce, proof]`: the dialer's answer and challenge. */
  AUTH: 21,
  /** `[22, proof]`: the listener's answer; the link is open. */
  WELCOME: 22,
} as const;

/** The protocol version both ends must speak. */
export const PROTOCOL_VERSION = 1;

export type SendEnvelope = [typeof Kind.SEND, string, AnyEventObject];
export type SendBatchEnvelope = [typeof Kind.SEND_BATCH, string, AnyEventObject[]];
export type AskEnvelope = [typeof Kind.ASK, string, AnyEventObject, string, number];
export type AskFailEnvelope = [typeof Kind.ASK_FAIL, string, string, string];
export type WatchEnvelope = [typeof Kind.WATCH | typeof Kind.UNWATCH, string, string];
export type DownEnvelope = [typeof Kind.DOWN, string, string, unknown];
export type CallEnvelope = [typeof Kind.CALL, number, string, unknown];
export type ResultEnvelope = [typeof Kind.RESULT, number, true, unknown] | [typeof Kind.RESULT, number, false, string, string];
export type BeatEnvelope = [typeof Kind.PING] | [typeof Kind.PONG];

/** Any envelope of an open link. */
export type Envelope =
  | SendEnvelope
  | SendBatchEnvelope
  | AskEnvelope
  | AskFailEnvelope
  | WatchEnvelope
  | DownEnvelope
  | CallEnvelope
  | ResultEnvelope
  | BeatEnvelope;

const plainReasons = new Set(['normal', 'shutdown', 'killed', 'noconnection', 'noproc']);

/** Reads an exit reason that came over the wire; anything unexpected becomes a crash that says so. */
export function reasonFromWire(value: unknown): ExitReason | 'noproc' {
  if (typeof value === 'string' && plainReasons.has(value)) return value as ExitReason | 'noproc';
  if (typeof value === 'object' && value !== null && 'error' in value) return { error: (value as { error: unknown }).error };
  return { error: new Error(`unreadable exit reason from the wire: ${typeof value}`) };
}
