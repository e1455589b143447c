import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkBinding, isLoopback, RequestGuard, securityHeaders } from '../../src/inspect/server-guard.js';

const upgrade = (url: string, host: string, origin?: string) =>
  ({ url, headers: { host, ...(origin === undefined ? {} : { origin }) } }) as unknown as IncomingMessage;

describe('server guard', () => {
  it('allows loopback without a token and nothing else', () => {
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost')).toBe(true);
    expect(() => checkBinding('0.0.0.0', 0, undefined)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INSECURE' }));
    expect(() => checkBinding('127.0.0.2', 0, undefined)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INSECURE' }));
    expect(() => checkBinding('0.0.0.0', 0, 'long-enough-token')).not.toThrow();
    expect(() => checkBinding('127.0.0.1', 70_000, undefined)).toThrow(expect.objectContaining({ code: 'TROUPE_ERR_INVALID_OPTION' }));
  });

  it('answers a loopback binding only under loopback Host names of its own port', () => {
    const guard = new RequestGuard('127.0.0.1', undefined);
    guard.port = 7500;
    expect(guard.hostOk('127.0.0.1:7500')).toBe(true);
    expect(guard.hostOk('localhost:7500')).toBe(true);
    expect(guard.hostOk('[::1]:7500')).toBe(true);
    expect(guard.hostOk('127.0.0.1:7501')).toBe(false);
    expect(guard.hostOk('evil.example:7500')).toBe(false);
    expect(guard.hostOk(undefined)).toBe(false);
  });

  it('takes a WebSocket only on /ws, from its own page (or no browser), with the token', () => {
    const guard = new RequestGuard('127.0.0.1', 'a-long-token');
    guard.port = 7500;
    const host = '127.0.0.1:7500';
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-token', host, 'http://127.0.0.1:7500'))).toBe(true);
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-token', host))).toBe(true);
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-token', host, 'http://evil.example'))).toBe(false);
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-token', host, 'http://127.0.0.1:7500.evil.example'))).toBe(false);
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-token', host, 'null'))).toBe(false);
    expect(guard.upgradeOk(upgrade('/ws?token=a-long-tokeN', host, 'http://127.0.0.1:7500'))).toBe(false);
    expect(guard.upgradeOk(upgrade('/ws', host))).toBe(false);
    expect(guard.upgradeOk(upgrade('/other?token=a-long-token', host))).toBe(false);
  });

  it('sends a CSP that allows only the page’s own files', () => {
    const csp = securityHeaders('text/html')['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
