import type { EntryInfo } from '../../runtime/store/store.js';
import type { EntryPage, EntryQuery, EntrySort } from './cache-view.js';

const SORT_VALUE: Record<EntrySort, (info: EntryInfo) => number | string> = {
  created: info => info.createdAt,
  size: info => info.size,
  computeMs: info => info.computeMs,
  fn: info => info.fn,
  key: info => info.key,
};

/**
 * One page of `rows` as a query asks, for a backend without a query engine of its own (Redis): the filters no index
 * answers — the start of the key or of an argument digest, or text in the function id; size — then its order (ties by key) and
 * paging. `rows` already match the query's function, tag and time range (the backend's indexes answer those).
 */
export function pageInMemory(rows: EntryInfo[], query: EntryQuery): EntryPage {
  const text = query.text || undefined;
  const matching = rows.filter(info =>
    (text === undefined || info.key.startsWith(text) || info.fn.includes(text) || info.args.some(([, digest]) => digest.startsWith(text))) &&
    (query.minSize === undefined || info.size >= query.minSize) && (query.maxSize === undefined || info.size <= query.maxSize));
  const value = SORT_VALUE[query.sort ?? 'created'];
  const sign = query.desc === false ? 1 : -1;
  matching.sort((a, b) => sign * (compare(value(a), value(b)) || compare(a.key, b.key)));
  const offset = query.offset ?? 0;
  return { rows: matching.slice(offset, offset + (query.limit ?? 50)), total: matching.length };
}

function compare(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
