import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InspectorModel } from '../../src/inspect/model.js';
import { type InspectorServer, startInspectorServer } from '../../src/inspect/server.js';

let server: InspectorServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A GET with a chosen Host header (fetch does not let one set it). */
function get(url: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startInspectorServer', () => {
  it('binds 127.0.0.1 by default and serves the page with a strict Content-Security-Policy', async () => {
    server = await startInspectorServer({ model: new InspectorModel() });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await get(server.url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="/app.js">');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // nothing fetched from outside
    const summary = await get(new URL('/api/summary', server.url).href);
    expect(JSON.parse(summary.body)).toMatchObject({ nodes: 0, actors: 0 });
  });

  it('refuses to bind beyond loopback without a token', async () => {
    await expect(startInspectorServer({ model: new InspectorModel(), host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INSECURE',
    });
    await expect(startInspectorServer({ model: new InspectorModel(), token: 'short' })).rejects.toMatchObject({
      code: 'TROUPE_ERR_INVALID_OPTION',
    });
  });

  it('requires the token on the API and the notices when one is set', async () => {
    server = await startInspectorServer({ model: new InspectorModel(), token: 'a-long-token' });
    expect(server.url).toContain('?token=a-long-token');
    const base = server.url.split('?')[0];
    expect((await get(`${base}api/summary`)).status).toBe(401);
    expect((await get(`${base}api/summary?token=wrong-token!`)).status).toBe(401);
    expect((await get(`${base}api/summary?token=a-long-token`)).status).toBe(200);
    const ws = new WebSocket(`${base.replace('http', 'ws')}ws?token=nope`);
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
    const ok = new WebSocket(`${base.replace('http', 'ws')}ws?token=a-long-token`);
    const first = await new Promise<string>((resolve, reject) => {
      ok.on('message', (m) => resolve(String(m)));
      ok.on('error', reject);
    });
    expect(JSON.parse(first)).toMatchObject({ version: 0 });
    ok.close();
  });

  it('answers only to loopback Host names (against DNS rebinding)', async () => {
    server = await startInspectorServer({ model: new InspectorModel() });
    expect((await get(server.url, 'evil.example:80')).status).toBe(421);
  });

  it('refuses a WebSocket from another site (a page elsewhere cannot read the notices)', async () => {
    server = await startInspectorServer({ model: new InspectorModel() });
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}ws`, { origin: 'http://evil.example' });
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});
