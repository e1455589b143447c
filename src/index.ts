/**
 * troupe's public API, listed by name: values first, then types.
 * @module
 */

export type { DeadLetter, DeadLetterReason } from './actors/dead-letters.js';
export { DeadLetters } from './actors/dead-letters.js';
export type {
  ActorInspectionEvent,
  DeadLetterInspectionEvent,
  DecisionInspectionEvent,
  InspectionEvent,
  InspectionObserver,
  LlmInspectionEvent,
  MessageInspectionEvent,
  NodeInspectionEvent,
  OverflowInspectionEvent,
  PatternInspectionEvent,
  StateInspectionEvent,
  SupervisorInspectionEvent,
} from './actors/inspection.js';
export type { ActorRef, AskEvent, AskOptions, DownEvent, ReplyTo, StreamEvent, StreamOptions } from './actors/ref.js';
export type { SupervisorChildSpec, SupervisorLogic, SupervisorOptions, SupervisorRef } from './actors/supervised.js';
export { supervisor, supervisorRef } from './actors/supervised.js';
export { ActorSystem } from './actors/system.js';
export type {
  ActorStats,
  EventOf,
  HeartbeatOptions,
  InputOf,
  ListenOptions,
  NetworkOptions,
  PeerInfo,
  ReconnectOptions,
  RemoteSpawnOptions,
  SpawnOptions,
  SystemOptions,
  SystemStats,
  TlsOptions,
  UnhandledExit,
} from './actors/system-options.js';
export { refOf } from './actors/xstate-body.js';
export type { AgentOptions } from './agents/agent.js';
export { defineAgent } from './agents/agent.js';
export type { AgentLogic } from './agents/agent-logic.js';
export { isAgentLogic } from './agents/agent-logic.js';
export type { CheckpointOptions } from './agents/checkpoint.js';
export type { CoordinatorOptions, CoordinatorResult } from './agents/coordinator.js';
export { defineCoordinator } from './agents/coordinator.js';
export type { DecisionCall, DecisionRecord, DecisionResult } from './agents/decisions.js';
export type { EscalateHook, Escalation, EscalationChoice } from './agents/escalation.js';
export type { Approval, Guardrails, ProposedCall } from './agents/guardrails.js';
export type { Limits, StopReason } from './agents/limits.js';
export type { LlmClient, LlmMessage, LlmRequest, LlmResponse, LlmTool, LlmToolCall, LlmToolChoice, LlmUsage } from './agents/llm/llm.js';
export type { OpenAIClientOptions } from './agents/llm/openai.js';
export { openaiClient } from './agents/llm/openai.js';
export type { CallOutcome, RunState } from './agents/run-state.js';
export type { ContextOptions } from './agents/scratchpad.js';
export type { FunctionTool, ToolOptions, ToolRunContext } from './agents/tool.js';
export { tool } from './agents/tool.js';
export type { WorkerOptions, WorkerRun, WorkerRunContext } from './agents/worker.js';
export { defineWorker } from './agents/worker.js';
export type { WorkerEntry } from './agents/worker-tools.js';
export type { CreateSystemOptions } from './create-system.js';
export { createSystem } from './create-system.js';
export type { ErrorCode } from './errors.js';
export {
  AskError,
  createError,
  DeliveryError,
  ErrorCodes,
  errorClassOf,
  InvalidArgumentError,
  isErrorCode,
  QuorumError,
  StreamError,
  TransportError,
  TroupeError,
} from './errors.js';
export { captureInspection } from './inspect/capture.js';
export type { Chart, ChartState, ChartTransition } from './inspect/chart.js';
export { activeStates, chartOf } from './inspect/chart.js';
export type { AllowInspectionOptions, Collector } from './inspect/collect.js';
export { allowInspection, collectInspection } from './inspect/collect.js';
export type { Forwarding, ForwardOptions, InspectionBatch } from './inspect/forward.js';
export { forwardInspection } from './inspect/forward.js';
export type { Inspector, InspectorOptions } from './inspect/inspector.js';
export { inspector } from './inspect/inspector.js';
export type { ModelLimits } from './inspect/model.js';
export type { OtelBridge, OtelBridgeOptions } from './inspect/otel.js';
export { otelBridge } from './inspect/otel.js';
export type { RecordTraceOptions, TraceRecording } from './inspect/recorder.js';
export { readTrace, recordTrace } from './inspect/recorder.js';
export type { ChartRecord, InspectionFeed, MetaRecord, RecordListener, StatsRecord, TraceRecord } from './inspect/records.js';
export type { Drawable, SvgOptions } from './inspect/viz.js';
export { toDot, toMermaid, toSvg } from './inspect/viz.js';
export type { WireEvent } from './inspect/wire.js';
export type { Dispatcher, DispatcherOptions, Runnable } from './mailbox/dispatcher.js';
export { createDispatcher, createSyncDispatcher } from './mailbox/dispatcher.js';
export type { MailboxOptions, OverflowPolicy } from './mailbox/mailbox.js';
export type { CouncilOptions, CouncilResult, CouncilTask, LabelledAnswer } from './patterns/council.js';
export { council } from './patterns/council.js';
export type { DelegateOptions, DelegateResult, TaskInfo } from './patterns/delegate.js';
export { delegate } from './patterns/delegate.js';
export type { FanOutOptions, FanOutProgress, FanOutResult } from './patterns/fan-out.js';
export { fanOut } from './patterns/fan-out.js';
export type { GatherOptions, GatherResult } from './patterns/gather.js';
export { gather } from './patterns/gather.js';
export type { MapReduceOptions, MapReduceResult } from './patterns/map-reduce.js';
export { mapReduce } from './patterns/map-reduce.js';
export type { PipelineOptions, PipelineResult, PipelineStage, PruneInfo } from './patterns/pipeline.js';
export { pipeline } from './patterns/pipeline.js';
export type { RemoteWorker, ScopeOptions, WorkerSource } from './patterns/scope.js';
export type { Singleton, SingletonHolder, SingletonOptions } from './patterns/singleton.js';
export { singleton } from './patterns/singleton.js';
export type { KForOptions, VoteOptions, VoteResult } from './patterns/vote.js';
export { kFor, vote, voteAccuracy } from './patterns/vote.js';
export type { WorkerPool, WorkQueue, WorkQueueOptions, WorkQueueStats, WorkTask } from './patterns/work-queue.js';
export { workQueue } from './patterns/work-queue.js';
export type {
  CancelTaskEvent,
  DescribeEvent,
  ModelUsage,
  ProgressEvent,
  ResultEvent,
  RunTaskOptions,
  TaskEvent,
  TaskResult,
  Usage,
  WorkerDescriptor,
  WorkerEvent,
} from './patterns/worker-protocol.js';
export { addUsage, emptyUsage, runTask } from './patterns/worker-protocol.js';
export type { Lease, LeaseOptions } from './store/lease.js';
export { lease } from './store/lease.js';
export type { MemoryStoreOptions } from './store/memory.js';
export { memoryStore } from './store/memory.js';
export type { PostgresStoreOptions } from './store/postgres.js';
export { postgresStore } from './store/postgres.js';
export type { SqliteStoreOptions } from './store/sqlite.js';
export { sqliteStore } from './store/sqlite.js';
export type { Fence, JsonValue, LeaseRecord, PutOptions, Store, StoreEntry, Versioned } from './store/store.js';
export type { FromStreamOptions, StreamContext, StreamLogic, StreamResult, StreamSource } from './streams/from-stream.js';
export { fromStream } from './streams/from-stream.js';
export type { CancelEvent, ChunkEvent, EndEvent, StreamErrorEvent, StreamTo } from './streams/stream-protocol.js';
export type { ChildCounts, ChildInfo, ChildStatus } from './supervision/child-record.js';
export type { ChildSpec, ChildType, ShutdownSetting } from './supervision/child-spec.js';
export type { RestartType } from './supervision/restart-decider.js';
export type { StrategyName } from './supervision/strategy.js';
export type { AutoShutdown, SupervisorFlags } from './supervision/supervisor-flags.js';
export type { Link, Transport, TransportDialOptions, TransportListener, TransportListenOptions } from './transport/transport.js';
export { WsTransport } from './transport/ws-transport.js';
export type { Clock } from './util/clock.js';
export { realClock, SimulatedClock } from './util/clock.js';
export type { ExitReason } from './util/exit-reason.js';
