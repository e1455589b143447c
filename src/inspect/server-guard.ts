/**
 * Who may talk to the inspector: loopback unless a token guards it, the token compared in
 * constant time, the Host header checked against DNS rebinding, a WebSocket's Origin against
 * other sites, and the headers every response carries.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createError } from '../errors.js';

/** True for the loopback names and addresses the inspector may bind without a token. */
export function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

/** Refuses a bad port, a short token, or an address beyond loopback without a token. */
export function checkBinding(host: string, port: number, token: string | undefined): void {
  if (token !== undefined && (typeof token !== 'string' || token.length < 8)) {
    throw createError('TROUPE_ERR_INVALID_OPTION', 'inspector token must be a string of at least 8 characters');
  }
  if (!isLoopback(host) && token === undefined) {
    throw createError('TROUPE_ERR_INSECURE', `the inspector binds ${host}, beyond loopback: give it a token`);
  }
  if (!(Number.isInteger(port) && port >= 0 && port < 65536))
    throw createError('TROUPE_ERR_INVALID_OPTION', `inspector port must be 0..65535, got ${port}`);
}

/** Checks requests against the binding: Host, Origin and token. */
export class RequestGuard {
  readonly #host: string;
  readonly #token: string | undefined;
  /** Set once the server listens (port 0 picks one). */
  port = 0;

  constructor(host: string, token: string | undefined) {
    this.#host = host;
    this.#token = token;
  }

  /** Against DNS rebinding: a loopback inspector answers only to loopback names (a token guards the others). */
  hostOk(h: string | undefined): boolean {
    if (h === undefined) return false;
    if (!isLoopback(this.#host)) return true;
    const port = this.port;
    return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}`;
  }

  /** The request's token, when one is required. */
  tokenOk(query: URLSearchParams): boolean {
    if (this.#token === undefined) return true;
    const given = query.get('token');
    if (given === null) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.#token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** A WebSocket upgrade: the notices' path, our Host, a page of ours (or no browser) and the token. */
  upgradeOk(req: IncomingMessage): boolean {
    const url = new URL(req.url ?? '/', 'http://inspector');
    const origin = req.headers.origin;
    const originOk = origin === undefined || this.hostOk(origin.replace(/^https?:\/\//, ''));
    return url.pathname === '/ws' && this.hostOk(req.headers.host) && originOk && this.tokenOk(url.searchParams);
  }
}

/** Headers of every response: no caching, no sniffing, no referrer, and a CSP that allows only the page's own files. */
export function securityHeaders(type: string): Record<string, string> {
  return {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  };
}
