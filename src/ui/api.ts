import type { IncomingMessage, ServerResponse } from 'node:http';
import { explainEntry } from '../cache/why.js';
import { COMMON_HEADERS, RAW_CSP } from './guard.js';
import { HttpError, readJson, sendJson } from './http.js';
import type { LiveUpdates } from './live.js';
import { preview, rawContent } from './preview.js';
import type { ContentKind, EntryAnswer, OverviewAnswer, SpotsAnswer } from './protocol.js';
import { entryQuery } from './query.js';
import type { SpotViews } from './spot-views.js';

export interface ApiContext {
  views: SpotViews;
  live: LiveUpdates;
  /** The module `--codec` loaded, for the page to say which types decode. */
  codecModule: string | null;
}

type Handler = (ctx: ApiContext, params: URLSearchParams, req: IncomingMessage, res: ServerResponse) => unknown;

const KINDS: ContentKind[] = ['tree', 'text', 'markdown', 'png', 'jpeg', 'svg', 'html', 'hex'];

function kindParam(params: URLSearchParams): ContentKind | undefined {
  const as = params.get('as');
  if (as === null || as === '' || as === 'auto') return undefined;
  if (!KINDS.includes(as as ContentKind)) throw new HttpError(400, `[beautyspot] bad query: "as" must be one of auto, ${KINDS.join(', ')}, not "${as}".`);
  return as as ContentKind;
}

function required(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, `[beautyspot] "${name}" is missing.`);
  return value;
}

/** The spot's view; a spot without a file (nothing stored yet) answers as empty where that makes sense. */
function viewOf(ctx: ApiContext, params: URLSearchParams | Record<string, unknown>) {
  const name = ctx.views.checked((params instanceof URLSearchParams ? params.get('spot') : params.spot as string | undefined) ?? null);
  return { name, view: ctx.views.view(name) };
}

function entryOf(ctx: ApiContext, params: URLSearchParams) {
  const { name, view } = viewOf(ctx, params);
  const key = required(params.get('key'), 'key');
  const entry = view?.find(key, 1).find(e => e.key === key);
  if (!view || !entry) throw new HttpError(404, `[beautyspot] spot "${name}" has no entry ${key} (deleted, expired and collected, or never stored).`);
  return { name, view, entry };
}

/** The JSON API, by method and path. */
export const ROUTES: Record<string, Handler> = {
  'GET /api/spots': (ctx): SpotsAnswer => {
    const spots = ctx.views.names().map(name => ({ name, stored: ctx.views.view(name) !== undefined }));
    return { spots, codec: { module: ctx.codecModule } };
  },

  'GET /api/overview': (ctx, params): OverviewAnswer => {
    const { name, view } = viewOf(ctx, params);
    if (!view) return { spot: name, where: null, functions: [], days: [], tags: [] };
    return { spot: name, where: view.where, functions: view.functions(), days: view.days(), tags: view.tags() };
  },

  'GET /api/entries': (ctx, params) => {
    const { view } = viewOf(ctx, params);
    return view ? view.query(entryQuery(params)) : { rows: [], total: 0 };
  },

  'GET /api/entry': (ctx, params): EntryAnswer => {
    const { view, entry } = entryOf(ctx, params);
    const why = explainEntry(view, entry);
    return { entry, why, code: entry.codeHash === null ? null : view.code(entry.fn, entry.codeHash) ?? null };
  },

  'GET /api/value': (ctx, params) => {
    const { view, entry } = entryOf(ctx, params);
    const stored = view.value(entry.key);
    if (!stored) throw new HttpError(410, '[beautyspot] the value cannot be read: its bytes or blob are missing or damaged (the next call recomputes it).');
    return preview(stored, kindParam(params));
  },

  /** An image or an HTML page to show in a sandboxed frame, with a policy of its own: no scripts, no requests. */
  'GET /api/raw': (ctx, params, _req, res) => {
    const { view, entry } = entryOf(ctx, params);
    const stored = view.value(entry.key);
    const content = stored && rawContent(stored, kindParam(params) ?? 'hex');
    if (!content) throw new HttpError(415, '[beautyspot] this value is not an image or an HTML page.');
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': content.type, 'content-security-policy': RAW_CSP, 'content-length': content.bytes.length });
    res.end(content.bytes);
  },

  'GET /api/events': (ctx, params, _req, res) => {
    ctx.live.listen(res, ctx.views.checked(params.get('spot')));
  },

  /** Deletes one entry, and its blob when no other entry uses it. */
  'DELETE /api/entry': (ctx, params) => {
    const { name, entry } = entryOf(ctx, params);
    ctx.views.change(name, spot => {
      const { store, blobs } = spot.parts();
      store.delete(entry.key);
      if (entry.blob && !store.blobInUse(entry.blob)) blobs.delete(entry.blob);
    });
    return { deleted: 1 };
  },

  'POST /api/clear': async (ctx, _params, req) => {
    const body = await readJson(req);
    const { name } = viewOf(ctx, body);
    const fn = typeof body.fn === 'string' && body.fn !== '' ? body.fn : undefined;
    const tag = typeof body.tag === 'string' && body.tag !== '' ? body.tag : undefined;
    if (!fn && !tag) throw new HttpError(400, '[beautyspot] clear needs "fn" or "tag" (the dashboard clears a function or a tag, never all).');
    return { deleted: ctx.views.change(name, spot => spot.clear({ fn, tag })) };
  },

  'POST /api/gc': async (ctx, _params, req) => {
    const { name } = viewOf(ctx, await readJson(req));
    return ctx.views.change(name, spot => spot.gc());
  },
};

/** Answers an API request; false when no route has its method and path. */
export async function answerApi(ctx: ApiContext, url: URL, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const handler = ROUTES[`${req.method} ${url.pathname}`];
  if (!handler) return false;
  const started = performance.now();
  const body = await handler(ctx, url.searchParams, req, res);
  if (!res.headersSent) sendJson(res, 200, body, { 'server-timing': `db;dur=${(performance.now() - started).toFixed(1)}` });
  return true;
}
