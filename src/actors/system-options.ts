/** The option, stats and provider types of an actor system, and the checks of its options. */
import type { AnyActorLogic, AnyEventObject, EventFromLogic, InputFrom } from 'xstate';
import { createError } from '../errors.js';
import type { Dispatcher } from '../mailbox/dispatcher.js';
import type { MailboxOptions } from '../mailbox/mailbox.js';
import type { Clock } from '../util/clock.js';
import type { ParsedAddress } from './address.js';
import type { AskHost } from './ask.js';
import type { SpawnableLogic } from './body.js';
import type { ActorRef, BaseRef, StreamOptions } from './ref.js';

/**
 * Options of `new ActorSystem()`, a system on one node. `createSystem` takes these and the
 * {@link NetworkOptions}; `new ActorSystem()` refuses network options with `TROUPE_ERR_INVALID_OPTION`.
 */
export interface SystemOptions {
  /** This node's id, unique in a cluster. Default: a random id. */
  node?: string;
  /** Time source for ask timeouts, XState delays and supervision. Default: the wall clock. */
  clock?: Clock;
  /** `'sync'` drains mailboxes inside `send`, for deterministic tests. Default: the event-loop dispatcher. */
  dispatcher?: Dispatcher | 'sync';
  /** Messages an actor handles per turn before others run. Default 100. */
  throughput?: number;
  /** Default ask timeout, ms. Default 5000. */
  askTimeoutMs?: number;
  /** Default mailbox of every actor. Default unbounded. */
  mailbox?: MailboxOptions;
  /**
   * Called once for every crash no supervisor handles (a top-level actor, or a child of a plain
   * actor). Default: one `console.error` line naming the actor's address and the error. The crash
   * is also counted in `stats().unhandledExits` and published as an `escalated` dead letter.
   */
  onUnhandledExit?: (exit: UnhandledExit) => void;
}

/** A crash that no supervisor handled, as {@link SystemOptions.onUnhandledExit} receives it. */
export interface UnhandledExit {
  /** The node it happened on. */
  node: string;
  /** The address of the actor that crashed. */
  address: string;
  /** What it crashed with. */
  error: unknown;
}

/** Where a node listens for other nodes. */
export interface ListenOptions {
  /** TCP port; `0` picks a free one (read it from `system.listenAddress`). */
  port: number;
  /** Interface to bind. Default `'127.0.0.1'`; any other than loopback needs a `secret`. */
  host?: string;
}

/** TLS for `wss://`: the listener's key and certificate, and what a dialer trusts. */
export interface TlsOptions {
  /** PEM private key of this node's listener. */
  key?: string | Uint8Array;
  /** PEM certificate of this node's listener. */
  cert?: string | Uint8Array;
  /** PEM certificates a dialer trusts (e.g. a self-signed peer's). Default: Node's root CAs. */
  ca?: string | Uint8Array | (string | Uint8Array)[];
  /** Whether a dialer rejects a certificate it cannot verify. Default true. */
  rejectUnauthorized?: boolean;
}

/** Failure detection between nodes. */
export interface HeartbeatOptions {
  /** Time between pings, ms. Default 1000. */
  intervalMs?: number;
  /**
   * Silent intervals before the peer is declared down. Default 3. A peer that goes silent is
   * detected between `maxMissed × intervalMs` and `(maxMissed + 1) × intervalMs` after it was last
   * heard (3–4 s with the defaults).
   */
  maxMissed?: number;
}

/** How a lost link is re-established, and what happens to messages meanwhile. */
export interface ReconnectOptions {
  /** First retry delay, ms. Default 100. */
  minMs?: number;
  /** Largest retry delay, ms. Default 5000. */
  maxMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Fraction of each delay randomised, 0..1. Default 0.2. */
  jitter?: number;
  /** Dial attempts after a loss before giving up. Default `Infinity`. */
  maxAttempts?: number;
  /** Messages held for a peer while its link is down; more become dead letters. Default 1000. */
  bufferLimit?: number;
  /** How long messages are held for a peer whose link is down before they become dead letters, ms. Default 30000. */
  bufferMs?: number;
}

/** The transport options of {@link createSystem}; they take effect when the transport is installed. */
export interface NetworkOptions {
  /** Accept connections from other nodes here. */
  listen?: ListenOptions;
  /** Shared secret of the cluster, for the mutual HMAC-SHA256 handshake. Required to listen beyond loopback. */
  secret?: string;
  /** Logic other nodes may start here with `spawnOn`, by name; nothing else can be spawned remotely. */
  logic?: Record<string, SpawnableLogic>;
  /** TLS key/certificate to listen with `wss://`, and CAs to trust when dialing one. */
  tls?: TlsOptions;
  heartbeat?: HeartbeatOptions;
  reconnect?: ReconnectOptions;
  /** How long an actor spawned here by a parent on another node outlives a lost link to that node, ms. Default 10000. */
  orphanGraceMs?: number;
  /** Largest frame accepted or sent, bytes. Default 16 MiB. */
  maxFrameBytes?: number;
  /** Asks one node may have waiting on another at once; more reject with `TROUPE_ERR_TOO_MANY_PENDING`. Default 10000. */
  maxPendingAsks?: number;
  /** How long a connection may take to authenticate, ms. Default 5000. */
  handshakeTimeoutMs?: number;
}

/** Options of {@link ActorSystem.spawnOn}. */
export interface RemoteSpawnOptions {
  /** Name on the host node; top-level there. Default: a random id. */
  name?: string;
  input?: unknown;
  /** A local actor: the remote actor stops when it exits, or when the link stays down past `orphanGraceMs`. */
  parent?: ActorRef;
  /** How long to wait for the host, ms. Default: the system's `askTimeoutMs`. */
  timeoutMs?: number;
}

/** Options of {@link ActorSystem.spawn}. */
export interface SpawnOptions<TInput = unknown> {
  /** Unique among siblings; becomes the last address segment. Default: a random id. */
  name?: string;
  input?: TInput;
  /** A local actor to spawn under; the child stops when it exits. Default: top level. */
  parent?: ActorRef;
  mailbox?: MailboxOptions;
  /** Messages handled per turn. Default: the system's. */
  throughput?: number;
}

/** Per-actor counters. */
export interface ActorStats {
  address: string;
  status: 'running' | 'exited' | 'stopped';
  /** User messages waiting. */
  depth: number;
  processed: number;
  dropped: number;
  restarts: number;
  children: number;
}

/** System-wide counters, with every live actor's. */
export interface SystemStats {
  node: string;
  /** Live actors. */
  actors: number;
  /** Asks waiting for their reply (their reply refs). */
  pendingAsks: number;
  /** Every registered temporary: pending asks' reply refs, open streams' ends, orphan guards. */
  temporaries: number;
  deadLetters: number;
  unhandledExits: number;
  mailboxes: ActorStats[];
}

/** The events of a logic, or any event for troupe-native logic. */
export type EventOf<TLogic> = TLogic extends AnyActorLogic ? EventFromLogic<TLogic> : AnyEventObject;
/** The input of a logic. */
export type InputOf<TLogic> = TLogic extends AnyActorLogic ? InputFrom<TLogic> : unknown;

/** Where remote addresses go; installed by the transport. @internal */
export interface RemoteProvider {
  ref(address: string, parsed: ParsedAddress): BaseRef;
  close(): Promise<void>;
  /** Dials a node; resolves with its node id once authenticated. */
  connect(url: string): Promise<string>;
  /** Starts allowlisted logic on `node`; resolves with a ref to it. */
  spawnOn(node: string, logicName: string, options: RemoteSpawnOptions): Promise<BaseRef>;
  /** Where this node listens, once bound. */
  readonly listenAddress: { host: string; port: number } | undefined;
  /** The nodes this node knows of, with the state of their links. */
  peers(): PeerInfo[];
}

/**
 * One node this node knows of, as {@link ActorSystem.peers} lists it.
 *
 * @example
 * ```ts
 * const down = system.peers().filter((p: PeerInfo) => p.status !== 'up').map((p) => p.node);
 * ```
 */
export interface PeerInfo {
  node: string;
  /** `up`: linked; `connecting`: re-dialing it; `down`: not linked (waiting for it to dial again, or given up). */
  status: 'up' | 'connecting' | 'down';
  /** The URL this node dials it at, when it dialed it. */
  url?: string;
}

/**
 * Opens a stream on `target` whose consumer is registered in `host`: the hook through which the
 * streams layer plugs into a system (`createSystem` installs `openStream`).
 * @internal
 */
export type StreamOpener = <TChunk>(
  host: AskHost,
  target: BaseRef,
  event: unknown,
  options: StreamOptions | undefined,
) => AsyncIterableIterator<TChunk>;

/** The options `new ActorSystem` reads; anything else (a network option, a typo) is refused, not ignored. */
const SYSTEM_KEYS = new Set(['node', 'clock', 'dispatcher', 'throughput', 'askTimeoutMs', 'mailbox', 'onUnhandledExit']);

/** Refuses what `new ActorSystem` does not read. @internal */
export function checkSystemOptions(options: object): void {
  if (typeof options !== 'object' || options === null) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'ActorSystem options must be an object');
  }
  for (const [key, value] of Object.entries(options)) {
    if (SYSTEM_KEYS.has(key) || value === undefined) continue;
    throw createError(
      'TROUPE_ERR_INVALID_OPTION',
      `${key} is not an option of new ActorSystem(); network options (listen, secret, tls, logic, …) go to createSystem from 'troupe'`,
    );
  }
}

/** The default {@link SystemOptions.onUnhandledExit}: one line on stderr. @internal */
export function logUnhandledExit(exit: UnhandledExit): void {
  const e = exit.error;
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  console.error(`troupe: ${exit.address} crashed and no supervisor handles it: ${what}`);
}
