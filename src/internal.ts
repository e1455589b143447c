/**
 * Extra exports for tests, benchmarks, examples and the CLI. Not covered by semver.
 * @module
 */

export { formatAddress, parseAddress, SCHEME, validateName, validateNodeId } from './actors/address.js';
export { codeForDeadLetter, isEvent, startAsk, TempRef } from './actors/ask.js';
export type { Body, CellHost, CellStatus, ChildPolicy, NativeLogic, SpawnableLogic, SystemMessage } from './actors/cell.js';
export { Cell, isNativeLogic, kNativeLogic, LocalRef } from './actors/cell.js';
export { describeReason, isCrash } from './actors/exit-reason.js';
export { InspectionBus } from './actors/inspection.js';
export { PathRef } from './actors/path-ref.js';
export { BaseRef } from './actors/ref.js';
export type { RemoteProvider } from './actors/system.js';
export type { Admission } from './mailbox/mailbox.js';
export { Mailbox } from './mailbox/mailbox.js';
export { Queue } from './mailbox/queue.js';
export type { BackoffOptions } from './util/backoff.js';
export { backoffDelay, validateBackoff } from './util/backoff.js';
export type { Deferred } from './util/deferred.js';
export { createDeferred } from './util/deferred.js';
