import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { CorruptEntryError } from '../../runtime/errors.js';
import type { EntryRange } from '../../runtime/redis/redis-core.js';
import type { RedisStore } from '../../runtime/redis/redis-store.js';
import type { EntryInfo, StoredValue } from '../../runtime/store/store.js';
import type { CacheView, CodeRecord, DayStats, EntryPage, EntryQuery, FunctionSummary, StoredBytes } from './cache-view.js';
import { pageInMemory } from './page-in-memory.js';
import { storedBytes } from './stored-bytes.js';

/**
 * How long the entries read for one range serve further queries while the change counter stays put. On a cluster the
 * counter lives on another node than an entry and may move a moment before the entry is indexed; this bounds how long
 * such an entry can stay out of a view of a cache that is not written any more.
 */
const SNAPSHOT_MS = 10_000;

/**
 * The read-only view of a spot whose entries live in Redis. Redis has no query engine for the metadata, so a query
 * reads the narrowest index (the tag's set, else the function indexes, by creation time when a range is given) in
 * the store's worker, then filters, sorts and pages in memory: each read costs one metadata read per entry in that
 * index. The last read serves the next queries of the same range (other pages, orders, text) until the store's change
 * counter moves. Reads never write, except that index members whose entry is gone are dropped (as the store does).
 */
export class RedisView implements CacheView {
  readonly where: string;
  private snapshot: { range: string; changes: number; at: number; rows: EntryInfo[] } | undefined;

  constructor(readonly spot: string, private readonly store: RedisStore, private readonly blobs: BlobStore) {
    this.where = store.where;
  }

  query(query: EntryQuery = {}): EntryPage {
    return pageInMemory(this.entries({ fn: query.fn, tag: query.tag, since: query.since, before: query.before }), query);
  }

  find(prefix: string, limit = 20): EntryInfo[] {
    return this.store.find(prefix, limit);
  }

  value(key: string): StoredBytes | undefined {
    let found: StoredValue | undefined;
    try {
      found = this.store.get(key);
    } catch (error) {
      if (error instanceof CorruptEntryError) return undefined; // a damaged record is a miss for the pipeline too
      throw error;
    }
    return found && storedBytes(found, this.blobs);
  }

  functions(): FunctionSummary[] {
    const byFn = new Map<string, FunctionSummary>();
    for (const [fn, runs] of this.store.runs()) byFn.set(fn, { fn, entries: 0, bytes: 0, ...runs, lastWrite: null });
    for (const info of this.entries({})) {
      const summary = byFn.get(info.fn) ?? { fn: info.fn, entries: 0, bytes: 0, hits: 0, misses: 0, savedMs: 0, computeMs: 0, lastWrite: null };
      summary.entries++;
      summary.bytes += info.size;
      summary.lastWrite = Math.max(summary.lastWrite ?? info.createdAt, info.createdAt);
      byFn.set(info.fn, summary);
    }
    return [...byFn.values()].sort((a, b) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
  }

  days(fn?: string): DayStats[] {
    return this.store.days(fn);
  }

  code(fn: string, hash: string): CodeRecord | undefined {
    const parts = this.store.code(fn, hash);
    return parts && { fn, hash, ...parts };
  }

  tags(): { tag: string; entries: number }[] {
    const counts = new Map<string, number>();
    for (const info of this.entries({})) for (const tag of new Set(info.tags)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([tag, entries]) => ({ tag, entries }));
  }

  changes(): number {
    return this.store.changes();
  }

  close(): void {
    this.store.close();
  }

  /** The live entries of a range: the last read when it is of this range, recent, and nothing was written since. */
  private entries(range: EntryRange): EntryInfo[] {
    const key = JSON.stringify([range.fn, range.tag, range.since, range.before]);
    const changes = this.store.changes();
    const now = Date.now();
    const last = this.snapshot;
    if (last && last.range === key && last.changes === changes && now - last.at < SNAPSHOT_MS) {
      return last.rows.filter(info => info.expiresAt === null || info.expiresAt > now);
    }
    const rows = this.store.entries(range);
    this.snapshot = { range: key, changes, at: now, rows };
    return rows;
  }
}
