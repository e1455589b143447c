/**
 * The inspector's HTTP + WebSocket server: serves the page (bundled with the package, nothing
 * from outside), a JSON API over the {@link InspectorModel}, and change notices over WebSocket.
 * The one module outside `transport/` that imports `ws` (recorded in docs/architecture.md).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createError } from '../errors.js';
import type { InspectorModel } from './model.js';
import { createInspectorApi, type InspectorApi } from './server-api.js';
import { checkBinding, RequestGuard, securityHeaders } from './server-guard.js';

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
  throw createError('TROUPE_ERR_NOT_FOUND', 'the inspector page is missing from the package (src/inspect/page)');
}

/** The page's files, read once. */
function pageFiles(): Map<string, { type: string; body: Buffer }> {
  const dir = pageDir();
  return new Map(
    Object.entries(PAGE_FILES).map(([path, file]) => [
      path,
      { type: TYPES[file.slice(file.lastIndexOf('.') + 1)] as string, body: readFileSync(`${dir}${file}`) },
    ]),
  );
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, securityHeaders(type));
  res.end(body);
}

/** Serves the page's files to anyone who may reach the server, and the API to those with the token. */
function requestHandler(guard: RequestGuard, api: InspectorApi) {
  const files = pageFiles();
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://inspector');
    if (!guard.hostOk(req.headers.host)) return send(res, 421, 'text/plain', 'wrong Host');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only');
    const file = files.get(url.pathname);
    if (file !== undefined) return send(res, 200, file.type, file.body);
    if (!url.pathname.startsWith('/api/')) return send(res, 404, 'text/plain', 'not found');
    // the page's files hold no data; the API and the notices need the token
    if (!guard.tokenOk(url.searchParams)) return send(res, 401, 'application/json', '{"error":"token required"}');
    try {
      const body = await api(url.pathname, url.searchParams);
      if (body === undefined) return send(res, 404, 'application/json', '{"error":"no such endpoint"}');
      send(res, 200, 'application/json', JSON.stringify(body));
    } catch (err) {
      send(res, 500, 'application/json', JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
    }
  };
}

/** Change notices: the model's summary, to each page connected, at most every 150 ms and only when it changed. */
function startNotices(server: Server, guard: RequestGuard, model: InspectorModel): { close(): void } {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.on('upgrade', (req, socket, head) => {
    if (!guard.upgradeOk(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => ws.send(JSON.stringify(model.summary())));
  });
  let sentVersion = -1;
  const ticker = setInterval(() => {
    if (model.version === sentVersion || wss.clients.size === 0) return;
    sentVersion = model.version;
    const text = JSON.stringify(model.summary());
    // a page that does not keep up misses notices rather than growing our buffers
    for (const ws of wss.clients) if (ws.bufferedAmount < 1 << 20) ws.send(text);
  }, 150);
  ticker.unref();
  return {
    close() {
      clearInterval(ticker);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/**
 * Starts the server. Refuses to bind beyond loopback without a token (`TROUPE_ERR_INSECURE`).
 * Every response carries a Content-Security-Policy that allows only the page's own scripts.
 *
 * @example
 * ```ts
 * const server = await startInspectorServer({ model: new InspectorModel(), port: 0 });
 * console.log(server.url); // http://127.0.0.1:54321/
 * await server.close();
 * ```
 */
export async function startInspectorServer(options: ServerOptions): Promise<InspectorServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const token = options.token;
  checkBinding(host, port, token);
  const guard = new RequestGuard(host, token);
  const handle = requestHandler(guard, createInspectorApi(options.model, options.title ?? 'live'));
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const notices = startNotices(server, guard, options.model);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      notices.close();
      reject(err);
    });
    server.listen(port, host, () => resolve());
  });
  guard.port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${guard.port}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`,
    close: () =>
      new Promise<void>((resolve) => {
        notices.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
