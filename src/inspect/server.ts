/**
 * The inspector's HTTP + WebSocket server: serves the page (bundled with the package, nothing
 * from outside), a JSON API over the {@link InspectorModel}, and change notices over WebSocket.
 * The one module outside `transport/` that imports `ws` (recorded in docs/architecture.md).
 */
import { timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { InvalidArgumentError, TroupeError } from '../errors.js';
import { activeStates } from './chart.js';
import { type ChartLayout, layoutChart } from './layout.js';
import type { InspectorModel } from './model.js';

/** Options of {@link startInspectorServer}. */
export interface ServerOptions {
  model: InspectorModel;
  /** Default 0 (a free port). */
  port?: number;
  /** Default `'127.0.0.1'`; any other needs `token`. */
  host?: string;
  /** Required on every request (`?token=`) when set. */
  token?: string;
  /** What the page calls this view (e.g. `live` or the trace file's name). */
  title?: string;
}

/** A running server. */
export interface InspectorServer {
  url: string;
  close(): Promise<void>;
}

const PAGE_FILES: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/views.js': 'views.js',
  '/chart.js': 'chart.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

function pageDir(): string {
  // from src/inspect/ (tsx, tests) or dist/inspect/ (the build): the page ships in src/inspect/page
  for (const rel of ['./page/', '../../src/inspect/page/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new TroupeError('TROUPE_ERR_NOT_FOUND', 'the inspector page is missing from the package (src/inspect/page)');
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost';
}

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function int(value: string | null, fallback: number, max: number): number {
  const n = value === null ? fallback : Number.parseInt(value, 10);
  return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : fallback;
}

/**
 * Starts the server. Refuses to bind beyond loopback without a token (`TROUPE_ERR_INSECURE`).
 * Every response carries a Content-Security-Policy that allows only the page's own scripts.
 */
export async function startInspectorServer(options: ServerOptions): Promise<InspectorServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const token = options.token;
  if (token !== undefined && (typeof token !== 'string' || token.length < 8)) {
    throw new InvalidArgumentError('TROUPE_ERR_INVALID_OPTION', 'inspector token must be a string of at least 8 characters');
  }
  if (!isLoopback(host) && token === undefined) {
    throw new TroupeError('TROUPE_ERR_INSECURE', `the inspector binds ${host}, beyond loopback: give it a token`);
  }
  if (!(Number.isInteger(port) && port >= 0 && port < 65536))
    throw new InvalidArgumentError('TROUPE_ERR_INVALID_OPTION', `inspector port must be 0..65535, got ${port}`);
  const dir = pageDir();
  const files = new Map(Object.entries(PAGE_FILES).map(([path, file]) => [path, readFileSync(`${dir}${file}`)]));
  const model = options.model;
  const layouts = new Map<string, Promise<ChartLayout>>();
  const title = options.title ?? 'live';

  const api = async (path: string, q: URLSearchParams): Promise<unknown> => {
    const offset = int(q.get('offset'), 0, Number.MAX_SAFE_INTEGER);
    const limit = int(q.get('limit'), 100, 1000);
    switch (path) {
      case '/api/summary':
        return { title, ...model.summary() };
      case '/api/tree':
        return model.tree(offset, limit);
      case '/api/tree-index':
        return { index: model.indexOf(q.get('address') ?? '') };
      case '/api/actor': {
        const actor = model.actor(q.get('address') ?? '');
        if (actor === undefined) return { actor: null };
        const chart = actor.chart === undefined ? undefined : model.charts.get(actor.chart);
        if (chart === undefined) return { actor, active: [] };
        let layout = layouts.get(actor.chart as string);
        if (layout === undefined) {
          layout = layoutChart(chart);
          layouts.set(actor.chart as string, layout);
        }
        return { actor, chartId: actor.chart, machine: chart.id, layout: await layout, active: activeStates(actor.value) };
      }
      case '/api/messages':
        return model.messagePage(offset, limit, { actor: q.get('actor') ?? undefined, type: q.get('type') ?? undefined });
      case '/api/message-index':
        return { index: model.messageIndex(int(q.get('seq'), -1, Number.MAX_SAFE_INTEGER)) };
      case '/api/decisions':
        return model.page(model.decisions, offset, limit);
      case '/api/llm':
        return model.page(model.llm, offset, limit);
      case '/api/deadletters':
        return model.page(model.deadLetters, offset, limit);
      case '/api/log':
        return model.page(model.log, offset, limit);
      default:
        return undefined;
    }
  };

  const headers = (type: string) => ({
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'content-security-policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://inspector');
    if (!allowedHost(req.headers.host)) return send(res, 421, 'text/plain', 'wrong Host');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only');
    const file = files.get(url.pathname);
    if (file !== undefined) return send(res, 200, TYPES[(PAGE_FILES[url.pathname] as string).split('.').pop() as string], file);
    if (url.pathname.startsWith('/api/')) {
      // the page's files hold no data; the API and the notices need the token
      if (token !== undefined && !sameToken(url.searchParams.get('token'), token))
        return send(res, 401, 'application/json', '{"error":"token required"}');
      try {
        const body = await api(url.pathname, url.searchParams);
        if (body === undefined) return send(res, 404, 'application/json', '{"error":"no such endpoint"}');
        return send(res, 200, 'application/json', JSON.stringify(body));
      } catch (err) {
        return send(res, 500, 'application/json', JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      }
    }
    send(res, 404, 'text/plain', 'not found');
  };
  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer) => {
    res.writeHead(status, headers(type));
    res.end(body);
  };

  let boundPort = port;
  const allowedHost = (h: string | undefined) => {
    if (h === undefined) return false;
    if (!isLoopback(host)) return true; // a token guards it
    // against DNS rebinding: a loopback inspector answers only to loopback names
    return h === `127.0.0.1:${boundPort}` || h === `localhost:${boundPort}` || h === `[::1]:${boundPort}`;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://inspector');
    const origin = req.headers.origin;
    const originOk = origin === undefined || allowedHost(origin.replace(/^https?:\/\//, ''));
    if (
      url.pathname !== '/ws' ||
      !allowedHost(req.headers.host) ||
      !originOk ||
      (token !== undefined && !sameToken(url.searchParams.get('token'), token))
    ) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify(model.summary()));
    });
  });
  let sentVersion = -1;
  const ticker = setInterval(() => {
    if (model.version === sentVersion || wss.clients.size === 0) return;
    sentVersion = model.version;
    const text = JSON.stringify(model.summary());
    for (const ws of wss.clients) if (ws.bufferedAmount < 1 << 20) ws.send(text);
  }, 150);
  ticker.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  boundPort = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${boundPort}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(ticker);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
