import type { EntryQuery, EntrySort } from '../cache/cache-view.js';
import { HttpError } from './http.js';

const SORTS: EntrySort[] = ['created', 'size', 'computeMs', 'fn', 'key'];
const MAX_PAGE = 500;

function integer(params: URLSearchParams, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpError(400, `[beautyspot] bad query: "${name}" must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}, not "${raw}".`);
  }
  return n;
}

function text(params: URLSearchParams, name: string): string | undefined {
  return params.get(name) || undefined;
}

/** The entry list's query from the URL: filters, order, paging; a bad parameter is a 400 that names it. */
export function entryQuery(params: URLSearchParams): EntryQuery {
  const sort = params.get('sort') ?? 'created';
  if (!SORTS.includes(sort as EntrySort)) throw new HttpError(400, `[beautyspot] bad query: "sort" must be one of ${SORTS.join(', ')}, not "${sort}".`);
  const desc = params.get('desc') ?? 'true';
  if (desc !== 'true' && desc !== 'false') throw new HttpError(400, `[beautyspot] bad query: "desc" must be true or false, not "${desc}".`);
  return {
    fn: text(params, 'fn'),
    tag: text(params, 'tag'),
    text: text(params, 'text'),
    since: integer(params, 'since', 0),
    before: integer(params, 'before', 0),
    minSize: integer(params, 'minSize', 0),
    maxSize: integer(params, 'maxSize', 0),
    sort: sort as EntrySort,
    desc: desc === 'true',
    limit: integer(params, 'limit', 1, MAX_PAGE) ?? 50,
    offset: integer(params, 'offset', 0) ?? 0,
  };
}
