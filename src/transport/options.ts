import { isIP } from 'node:net';
import type { SpawnableLogic } from '../actors/body.js';
import type { ListenOptions, NetworkOptions, TlsOptions } from '../actors/system-options.js';
import { createError } from '../errors.js';
import { type BackoffOptions, validateBackoff } from '../util/backoff.js';

/**
 * Transport options beyond the system's own `NetworkOptions` (they are accepted by `createSystem`).
 */
export interface TransportOptions {
  /**
   * Links that may be authenticating at once. Past it a newcomer is kept and the oldest pending
   * link of the address holding the most is evicted (closed with 1013), so a flood only displaces
   * itself. Default 128.
   */
  maxPendingHandshakes?: number;
  /**
   * Connections from one remote address that may be open without having authenticated; more are
   * dropped as they are accepted, before any HTTP or WebSocket work. Default 16.
   */
  maxPendingHandshakesPerAddress?: number;
  /**
   * Browser origins (`https://app.example`) allowed to connect to the listener. A connection with
   * an `Origin` header not listed here is refused (403) before any handshake. Default: none.
   */
  allowOrigins?: readonly string[];
  /**
   * Bytes a link may have waiting in its send buffer (a slow peer) before messages to that node
   * are held instead, up to `reconnect.bufferLimit`; beyond that tells are dead letters
   * (`node-down`) and asks fail with `TROUPE_ERR_TOO_MANY_PENDING`. Default 64 MiB.
   */
  maxBufferedBytes?: number;
}

/** Network options with every default filled in and every value checked. */
export interface ResolvedNetworkOptions {
  listen: Required<ListenOptions> | undefined;
  secret: string;
  logic: ReadonlyMap<string, SpawnableLogic>;
  tls: TlsOptions | undefined;
  heartbeatIntervalMs: number;
  heartbeatMaxMissed: number;
  backoff: BackoffOptions;
  maxAttempts: number;
  bufferLimit: number;
  bufferMs: number;
  orphanGraceMs: number;
  maxFrameBytes: number;
  maxPendingAsks: number;
  handshakeTimeoutMs: number;
  maxPendingHandshakes: number;
  maxPendingHandshakesPerAddress: number;
  allowOrigins: readonly string[];
  maxBufferedBytes: number;
}

function fail(message: string): never {
  throw createError('TROUPE_ERR_INVALID_OPTION', message);
}

function positive(name: string, value: number | undefined, fallback: number, allowInfinity = false): number {
  const v = value ?? fallback;
  const ok = typeof v === 'number' && v > 0 && (Number.isFinite(v) || (allowInfinity && v === Number.POSITIVE_INFINITY));
  if (!ok) fail(`${name} must be a ${allowInfinity ? '' : 'finite '}number > 0, got ${String(v)}`);
  return v;
}

function wholeAtLeastOne(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!(Number.isInteger(v) && v >= 1)) fail(`${name} must be a whole number >= 1, got ${String(v)}`);
  return v;
}

function origins(value: readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((o) => typeof o === 'string' && o.length > 0)) {
    fail('allowOrigins must be an array of origin strings (e.g. https://app.example)');
  }
  return [...value];
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * Fills in defaults and checks every network option; throws `TROUPE_ERR_INVALID_OPTION` on a bad
 * one and `TROUPE_ERR_INSECURE` when asked to listen beyond loopback without a secret.
 */
export function resolveNetworkOptions(options: NetworkOptions & TransportOptions): ResolvedNetworkOptions {
  let listen: Required<ListenOptions> | undefined;
  if (options.listen !== undefined) {
    const { port, host = '127.0.0.1' } = options.listen;
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) fail(`listen.port must be a whole number 0..65535, got ${String(port)}`);
    if (typeof host !== 'string' || host.length === 0) fail(`listen.host must be a host name or address, got ${String(host)}`);
    listen = { port, host };
  }
  const secret = options.secret ?? '';
  if (typeof secret !== 'string') fail('secret must be a string');
  if (listen !== undefined && secret === '' && !isLoopback(listen.host)) {
    throw createError(
      'TROUPE_ERR_INSECURE',
      `refusing to listen on ${listen.host} without a secret: anyone who can reach it could run actors here; pass a secret (or listen on 127.0.0.1)`,
    );
  }
  const logic = new Map<string, SpawnableLogic>();
  for (const [name, l] of Object.entries(options.logic ?? {})) {
    if (typeof l !== 'object' || l === null) fail(`logic.${name} must be actor logic`);
    logic.set(name, l);
  }
  if (options.tls !== undefined && (options.tls.key === undefined) !== (options.tls.cert === undefined)) {
    fail('tls needs both key and cert to listen (or neither, to only dial)');
  }
  const reconnect = options.reconnect ?? {};
  const backoff = validateBackoff({ minMs: 100, maxMs: 5000, ...reconnect }, (m) => fail(`reconnect: ${m}`));
  const bufferLimit = reconnect.bufferLimit ?? 1000;
  if (!(Number.isInteger(bufferLimit) && bufferLimit >= 0)) fail(`reconnect.bufferLimit must be a whole number >= 0, got ${bufferLimit}`);
  const maxPendingAsks = options.maxPendingAsks ?? 10_000;
  if (!(Number.isInteger(maxPendingAsks) && maxPendingAsks >= 1)) fail(`maxPendingAsks must be a whole number >= 1, got ${maxPendingAsks}`);
  const heartbeatMaxMissed = options.heartbeat?.maxMissed ?? 3;
  if (!(Number.isInteger(heartbeatMaxMissed) && heartbeatMaxMissed >= 1)) {
    fail(`heartbeat.maxMissed must be a whole number >= 1, got ${heartbeatMaxMissed}`);
  }
  const maxFrameBytes = options.maxFrameBytes ?? 16 * 1024 * 1024;
  if (!(Number.isInteger(maxFrameBytes) && maxFrameBytes >= 1024))
    fail(`maxFrameBytes must be a whole number >= 1024, got ${maxFrameBytes}`);
  return {
    listen,
    secret,
    logic,
    tls: options.tls,
    heartbeatIntervalMs: positive('heartbeat.intervalMs', options.heartbeat?.intervalMs, 1000),
    heartbeatMaxMissed,
    backoff,
    maxAttempts: positive('reconnect.maxAttempts', reconnect.maxAttempts, Number.POSITIVE_INFINITY, true),
    bufferLimit,
    bufferMs: positive('reconnect.bufferMs', reconnect.bufferMs, 30_000),
    orphanGraceMs: positive('orphanGraceMs', options.orphanGraceMs, 10_000),
    maxFrameBytes,
    maxPendingAsks,
    handshakeTimeoutMs: positive('handshakeTimeoutMs', options.handshakeTimeoutMs, 5000),
    maxPendingHandshakes: wholeAtLeastOne('maxPendingHandshakes', options.maxPendingHandshakes, 128),
    allowOrigins: origins(options.allowOrigins),
    maxBufferedBytes: wholeAtLeastOne('maxBufferedBytes', options.maxBufferedBytes, 64 * 1024 * 1024),
    maxPendingHandshakesPerAddress: wholeAtLeastOne('maxPendingHandshakesPerAddress', options.maxPendingHandshakesPerAddress, 16),
  };
}
