import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CacheOptions } from '../cache/locate.js';
import { answerApi, type ApiContext } from './api.js';
import { assetsDir, loadAssets } from './assets.js';
import { COMMON_HEADERS, PAGE_CSP, refusal, tokenCookie, TOKEN_QUERY } from './guard.js';
import { HttpError, sendError } from './http.js';
import { LiveUpdates } from './live.js';
import { SpotViews } from './spot-views.js';

export const DEFAULT_PORT = 8765;

export interface UiOptions extends CacheOptions {
  /** Default 8765, else (when taken) a free port; 0: a free port. */
  port?: number;
  /** The module `--codec` loaded (for the page), if any. */
  codecModule?: string;
  /** How often live updates look for changes, ms (default 500). */
  pollMs?: number;
}

export interface UiServer {
  /** The URL to open, with the token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Serves the dashboard on 127.0.0.1 only; every request needs the token of the printed URL. */
export async function startUi(options: UiOptions = {}): Promise<UiServer> {
  const assets = loadAssets(assetsDir());
  const token = randomBytes(24).toString('hex');
  const views = new SpotViews(options);
  const live = new LiveUpdates(views, options.pollMs ?? 500);
  const ctx: ApiContext = { views, live, codecModule: options.codecModule ?? null };
  let port = 0;

  const page = (res: ServerResponse, url: URL): void => {
    if (url.searchParams.has(TOKEN_QUERY)) {
      // Keep the token out of the address bar and history: the cookie carries it from now on.
      res.writeHead(303, { ...COMMON_HEADERS, location: '/', 'set-cookie': tokenCookie(token) });
      res.end();
      return;
    }
    // The page's scripts send the token in a header for changes; it reaches only pages served here.
    const html = assets.get('/index.html')!.body.toString('utf8').replace('%BEAUTYSPOT_TOKEN%', token);
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'set-cookie': tokenCookie(token) });
    res.end(html);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const refused = refusal(req, url, token, port);
    if (refused) return sendError(res, refused.status, refused.message);
    if (req.method === 'GET' && url.pathname === '/') return page(res, url);
    const asset = req.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset && url.pathname !== '/index.html') {
      res.writeHead(200, { ...COMMON_HEADERS, 'content-type': asset.type, 'cache-control': 'private, max-age=3600' });
      res.end(asset.body);
      return;
    }
    if (!(await answerApi(ctx, url, req, res))) sendError(res, 404, `[beautyspot] no such page or API: ${req.method} ${url.pathname}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof HttpError) return sendError(res, error.status, error.message);
      sendError(res, 500, `[beautyspot] the dashboard failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  port = await listen(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_QUERY}=${token}`,
    port,
    token,
    close: () => new Promise<void>(resolve => {
      live.close();
      server.closeAllConnections();
      server.close(() => {
        views.close();
        resolve();
      });
    }),
  };
}

/** Listens on 127.0.0.1: the port asked for, else 8765, falling back to a free port when 8765 is taken. */
async function listen(server: Server, port: number | undefined): Promise<number> {
  const attempt = (p: number) => new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
  if (port !== undefined) return attempt(port);
  try {
    return await attempt(DEFAULT_PORT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return attempt(0);
  }
}
