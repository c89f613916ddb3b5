import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spot } from '../../runtime/index.js';
import { startUi, type UiServer } from '../../src/ui/server.js';
import { tempDir } from '../helpers/temp-spot.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A real HTTP request to the server, with whatever Host header and other headers the test sends. */
function send(port: number, path: string, { method = 'GET', headers = {}, body }: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, res => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', chunk => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The machine's addresses other than loopback (eth0 and the like). */
const outsideAddresses = Object.values(networkInterfaces()).flat().filter(a => a && !a.internal && a.family === 'IPv4').map(a => a!.address);

describe('beautyspot ui: security, by real requests', () => {
  let dir: string;
  let ui: UiServer;
  let key: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bs-ui-sec-'));
    const spot = new Spot('default', { dir });
    spot.mark((n: number) => `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(${n})</script></svg>`, { name: 'icon' })(1);
    key = spot.entries()[0]!.key;
    spot.close();
    ui = await startUi({ dir, port: 0 });
  });
  afterAll(async () => {
    await ui?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL with a random token', () => {
    expect(ui.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${ui.port}/\\?token=[0-9a-f]{48}$`));
  });

  it('answers 401 without the token and 403 with a wrong one, in the query, the cookie or the header', async () => {
    for (const path of ['/', '/api/spots', '/api/entries?spot=default', '/assets/x.js']) {
      const none = await send(ui.port, path);
      expect(none.status).toBe(401);
      expect(JSON.parse(none.body).error).toMatch(/^\[beautyspot\] this dashboard needs its token/);
    }
    expect((await send(ui.port, '/api/spots?token=0123')).status).toBe(403);
    expect((await send(ui.port, '/api/spots', { headers: { cookie: 'beautyspot_token=wrong' } })).status).toBe(403);
    expect((await send(ui.port, '/api/spots', { headers: { 'x-beautyspot-token': `${ui.token.slice(0, -1)}${ui.token.endsWith('0') ? '1' : '0'}` } })).status).toBe(403);
    expect((await send(ui.port, `/api/spots?token=${ui.token}`)).status).toBe(200);
  });

  it('sets an HttpOnly, SameSite=Strict cookie from the URL, then serves the page with a strict CSP', async () => {
    const first = await send(ui.port, `/?token=${ui.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toContain(`beautyspot_token=${ui.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await send(ui.port, '/', { headers: { cookie: `beautyspot_token=${ui.token}` } });
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).not.toMatch(/<script>(?!<\/script>)/); // no inline script: only the bundle by its URL
    expect(page.body).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
  });

  it('refuses a foreign Host header (DNS rebinding), even with the right token', async () => {
    for (const host of ['evil.example', `evil.example:${ui.port}`, `127.0.0.1:${ui.port + 1}`, `0.0.0.0:${ui.port}`]) {
      const answer = await send(ui.port, `/api/spots?token=${ui.token}`, { headers: { host } });
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body).error).toContain('is not this dashboard\'s address');
    }
    expect((await send(ui.port, `/api/spots?token=${ui.token}`, { headers: { host: `localhost:${ui.port}` } })).status).toBe(200);
  });

  it('needs the token in a header for changes: the cookie alone, or another site\'s Origin, is refused', async () => {
    const path = `/api/entry?spot=default&key=${key}`;
    const cookie = { cookie: `beautyspot_token=${ui.token}` };
    expect((await send(ui.port, path, { method: 'DELETE', headers: cookie })).status).toBe(401);
    expect((await send(ui.port, path, { method: 'DELETE', headers: { 'x-beautyspot-token': 'nope' } })).status).toBe(403);
    expect((await send(ui.port, path, { method: 'DELETE', headers: { 'x-beautyspot-token': ui.token, origin: 'http://evil.example' } })).status).toBe(403);
    const gc = await send(ui.port, '/api/gc', { method: 'POST', headers: { 'x-beautyspot-token': ui.token, 'content-type': 'text/plain' }, body: '{"spot":"default"}' });
    expect(gc.status).toBe(415);
    // Still there after all of those.
    expect(JSON.parse((await send(ui.port, `/api/entries?spot=default&token=${ui.token}`)).body).total).toBe(1);
  });

  it('serves a stored SVG under a sandboxing policy of its own, so its script never runs in the dashboard\'s origin', async () => {
    const raw = await send(ui.port, `/api/raw?spot=default&key=${key}&as=svg&token=${ui.token}`);
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('image/svg+xml');
    expect(String(raw.headers['content-security-policy'])).toMatch(/^sandbox; default-src 'none'/);
    expect(raw.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers bad input with a message that names it', async () => {
    const bad = await send(ui.port, `/api/entries?spot=default&limit=abc&token=${ui.token}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toBe('[beautyspot] bad query: "limit" must be an integer from 1 to 500, not "abc".');
    const spot = await send(ui.port, `/api/entries?spot=../etc&token=${ui.token}`);
    expect(spot.status).toBe(404);
    expect(JSON.parse(spot.body).error).toBe('[beautyspot] no spot "../etc" in this cache; its spots: default.');
  });

  it('is not reachable on the machine\'s other addresses', async () => {
    if (outsideAddresses.length === 0) {
      if (process.env.CI) throw new Error('[ui-security] the machine has no non-loopback IPv4 address to try');
      console.warn('[ui-security] skipped the non-loopback check: no non-loopback IPv4 address');
      return;
    }
    for (const address of outsideAddresses) {
      const outcome = await new Promise<string>(resolve => {
        const socket = connect({ host: address, port: ui.port, timeout: 2000 });
        socket.once('connect', () => { socket.destroy(); resolve('connected'); });
        socket.once('timeout', () => { socket.destroy(); resolve('timeout'); });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(outcome, `connecting to ${address}:${ui.port}`).not.toBe('connected');
    }
  });
});

describe('beautyspot ui: port', () => {
  it('takes a free port when 8765 is taken and no port was asked for', async () => {
    const dir = tempDir();
    const first = await startUi({ dir, port: 8765 }).catch(() => undefined); // another run may hold it: then it is taken anyway
    const second = await startUi({ dir });
    try {
      expect(second.port).not.toBe(8765);
      expect(second.port).toBeGreaterThan(0);
    } finally {
      await second.close();
      await first?.close();
    }
  });
});
