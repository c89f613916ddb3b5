import type { EntryFilter, EntryInfo } from '../../runtime/store/store.js';
import type { CacheView } from './cache-view.js';

const PAGE = 1000;

/**
 * Every entry of the view matching `filter`, oldest first, in pages, while other processes may write the cache.
 * Entries written meanwhile come after the pages already read. When entries before the next page were deleted or
 * rewritten (eviction, gc, a refresh), offsets have moved: the listing goes on from the last entry it passed, by
 * creation time, so no entry that stays is passed over. A rewritten entry may come twice (as it was, and as it is).
 */
export function* liveEntries(view: Pick<CacheView, 'query'>, filter: EntryFilter, pageSize = PAGE): Generator<EntryInfo> {
  let since: number | undefined; // the range listed: entries created at or after this
  let offset = 0; // rows of that range passed
  let passed: EntryInfo | undefined; // the last of them
  let group = new Set<string>(); // the keys given that were created when `passed` was
  const page = (limit: number, from: number): EntryInfo[] =>
    view.query({ fn: filter.fn, tag: filter.tag, since, sort: 'created', desc: false, limit, offset: from }).rows;
  for (;;) {
    let limit = pageSize;
    let rows: EntryInfo[];
    if (!passed) {
      rows = page(limit, 0);
    } else {
      // One row of overlap: the last one passed, unless offsets have moved since.
      rows = page(limit + 1, offset - 1);
      if (rows[0]?.key === passed.key) {
        rows = rows.slice(1);
      } else {
        since = passed.createdAt;
        offset = 0;
        limit += group.size;
        rows = page(limit, 0);
      }
    }
    for (const row of rows) {
      offset++;
      const again = row.createdAt === passed?.createdAt && group.has(row.key);
      if (row.createdAt !== passed?.createdAt) group = new Set();
      passed = row;
      if (again) continue;
      group.add(row.key);
      yield row;
    }
    if (rows.length < limit) return;
  }
}
