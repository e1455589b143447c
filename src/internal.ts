/**
 * Extra exports for tests, benchmarks, examples and the CLI. Not covered by semver.
 * @module
 */

export { formatAddress, parseAddress, SCHEME, validateName, validateNodeId } from './actors/address.js';
export { codeForDeadLetter, isEvent, startAsk, TempRef } from './actors/ask.js';
export type { Body, CellHost, CellStatus, ChildPolicy, NativeLogic, SpawnableLogic, SystemMessage } from './actors/cell.js';
export { Cell, isNativeLogic, kNativeLogic, LocalRef } from './actors/cell.js';
export { describeReason, isCrash } from './actors/exit-reason.js';
export { StreamSession } from './actors/from-stream.js';
export { InspectionBus } from './actors/inspection.js';
export { PathRef } from './actors/path-ref.js';
export type { StreamHost } from './actors/ref.js';
export { BaseRef } from './actors/ref.js';
export { ChunkStream, ConsumerRef, openStream } from './actors/stream.js';
export type { CreditEvent, StreamOpenEvent, StreamRequestOptions, WireError } from './actors/stream-protocol.js';
export { fromWireError, isErrorCode, readRequestOptions, toWireError } from './actors/stream-protocol.js';
export { isSupervisorLogic } from './actors/supervised.js';
export type { RemoteProvider } from './actors/system.js';
export type { WatcherMap } from './actors/watchers.js';
export { addWatcher, downAtOnce, notifyWatchers } from './actors/watchers.js';
export type { Admission } from './mailbox/mailbox.js';
export { Mailbox } from './mailbox/mailbox.js';
export { Queue } from './mailbox/queue.js';
export type { ChildHandle, RecordState } from './supervision/child-record.js';
export { ChildRecord } from './supervision/child-record.js';
export type { ResolvedSpec, SpecRules } from './supervision/child-spec.js';
export { resolveChildSpec } from './supervision/child-spec.js';
export type { ChildExitReason } from './supervision/exit.js';
export { isNormalExit } from './supervision/exit.js';
export { oneForAll } from './supervision/one-for-all.js';
export { oneForOne } from './supervision/one-for-one.js';
export { restForOne } from './supervision/rest-for-one.js';
export { RestartBackoff } from './supervision/restart-backoff.js';
export { shouldRestart } from './supervision/restart-decider.js';
export { RestartWindow } from './supervision/restart-window.js';
export type { Supervisor, SupervisorStrategy } from './supervision/strategy.js';
export { strategyFor } from './supervision/strategy.js';
export type { CallResult, SupervisorAction, SupervisorHost } from './supervision/supervisor.js';
export { SupervisorCore } from './supervision/supervisor.js';
export type { ResolvedFlags } from './supervision/supervisor-flags.js';
export { resolveFlags } from './supervision/supervisor-flags.js';
export { decode as decodeFrame, encode as encodeFrame } from './transport/codec.js';
export { Connection } from './transport/connection.js';
export type { EndpointStatus } from './transport/endpoint.js';
export { Endpoint } from './transport/endpoint.js';
export { EndpointManager } from './transport/endpoint-manager.js';
export { Kind, PROTOCOL_VERSION } from './transport/envelope.js';
export { createNonce, createProof, verifyProof } from './transport/handshake.js';
export type { Pinger } from './transport/heartbeat.js';
export { Heartbeat } from './transport/heartbeat.js';
export { MemoryNetwork } from './transport/memory-transport.js';
export { RemoteRef } from './transport/remote-ref.js';
export { CloseCode } from './transport/transport.js';
export type { BackoffOptions } from './util/backoff.js';
export { backoffDelay, validateBackoff } from './util/backoff.js';
export type { Deferred } from './util/deferred.js';
export { createDeferred } from './util/deferred.js';
