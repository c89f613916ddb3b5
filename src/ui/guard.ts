import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { TOKEN_HEADER } from './protocol.js';

export const TOKEN_COOKIE = 'beautyspot_token';
export const TOKEN_QUERY = 'token';

/** The page's policy: its own scripts and styles only; previews of HTML come from /api/raw into sandboxed frames. */
export const PAGE_CSP = ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "frame-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"].join('; ');

/** A stored image or HTML page: no scripts, no requests, its own opaque origin even when opened directly; framed only by the page. */
export const RAW_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";

/** Headers of every answer. */
export const COMMON_HEADERS: OutgoingHttpHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

export interface Refusal {
  status: number;
  message: string;
}

const MUTATING = new Set(['POST', 'DELETE', 'PUT', 'PATCH']);

function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieToken(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === TOKEN_COOKIE) return value.join('=');
  }
  return undefined;
}

/**
 * Whether a request may be served. The Host header must be the loopback address and port the server listens on
 * (a page of another site that rebinds its name to 127.0.0.1 sends its own name). Reads need the token in the
 * query, the cookie or the header; changes need it in the header (a cookie alone would let another site's form
 * post here) and, when the browser sends an Origin, this server's own.
 */
export function refusal(req: IncomingMessage, url: URL, token: string, port: number): Refusal | undefined {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  const host = req.headers.host ?? '';
  if (!hosts.includes(host)) {
    return { status: 403, message: `[beautyspot] refused: the Host header "${host}" is not this dashboard's address (${hosts[0]}). Open the URL beautyspot ui printed.` };
  }
  const header = req.headers[TOKEN_HEADER];
  const fromHeader = typeof header === 'string' ? header : undefined;
  if (MUTATING.has(req.method ?? '')) {
    const origin = req.headers.origin;
    if (origin !== undefined && !hosts.some(h => origin === `http://${h}`)) {
      return { status: 403, message: `[beautyspot] refused: a change requested by another site (Origin ${origin}).` };
    }
    if (fromHeader === undefined) return { status: 401, message: `[beautyspot] a change needs the token in the ${TOKEN_HEADER} header.` };
    return sameToken(fromHeader, token) ? undefined : { status: 403, message: '[beautyspot] wrong token.' };
  }
  const given = url.searchParams.get(TOKEN_QUERY) ?? fromHeader ?? cookieToken(req.headers.cookie);
  if (given === undefined || given === '') {
    return { status: 401, message: '[beautyspot] this dashboard needs its token: open the URL beautyspot ui printed (it ends in ?token=…).' };
  }
  return sameToken(given, token) ? undefined : { status: 403, message: '[beautyspot] wrong token: open the URL beautyspot ui printed.' };
}

/** The cookie that carries the token after the first page load. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
