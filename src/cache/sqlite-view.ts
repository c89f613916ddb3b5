import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { intactRow } from '../../runtime/store/checksum.js';
import { READ_PRAGMAS } from '../../runtime/store/sqlite-schema.js';
import { entryInfo, type InfoRow } from '../../runtime/store/sqlite-store.js';
import type { EntryInfo } from '../../runtime/store/store.js';
import type { CacheView, CodeRecord, DayStats, EntryPage, EntryQuery, EntrySort, FunctionSummary, StoredBytes } from './cache-view.js';
import { storedBytes } from './stored-bytes.js';

/** ORDER BY expressions of each sort; the indexed columns come with schema v4. */
const SORT_SQL: Record<EntrySort, string> = {
  created: 'e.created_at',
  size: 'e.size',
  computeMs: 'e.compute_ms',
  fn: 'e.fn',
  key: 'e.key',
};

/** What a file of an older schema lacks: the view reads it as it is, never migrating it. */
interface Features {
  checksum: boolean;
  code: boolean;
  tagRows: boolean;
  days: boolean;
  misses: boolean;
  /** fn_entries and entry_args (v4): per-function totals and digest lookups without a scan. */
  indexes: boolean;
}

/**
 * The read-only view of a spot's SQLite file. It opens the file read-only (no journal-mode change, no migration,
 * no bookkeeping), so it works while a pipeline writes the file: WAL readers never block its writer.
 */
export class SqliteView implements CacheView {
  private readonly db: BetterSqlite3.Database;
  private readonly has: Features;
  private readonly infoColumns: string;

  constructor(readonly spot: string, readonly where: string, private readonly blobs: BlobStore) {
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    this.db = new Database(where, { readonly: true, fileMustExist: true });
    // The hit path's read settings (memory map, page cache): whole-table answers (totals, text search) read mapped pages.
    for (const pragma of READ_PRAGMAS) this.db.pragma(pragma);
    const tables = new Set(this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
    const columns = (table: string): Set<string> =>
      new Set((this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map(c => c.name));
    const entryColumns = columns('entries');
    this.has = {
      checksum: entryColumns.has('checksum'),
      code: entryColumns.has('code_hash'),
      tagRows: tables.has('entry_tags'),
      days: tables.has('fn_days'),
      misses: columns('fn_stats').has('misses'),
      indexes: tables.has('fn_entries') && tables.has('entry_args'),
    };
    this.infoColumns = `e.key, e.fn, e.size, e.created_at AS createdAt, coalesce(a.at, e.created_at) AS accessedAt,
      e.expires_at AS expiresAt, e.compute_ms AS computeMs, e.blob, e.args, e.tags,
      ${this.has.code ? 'e.code_hash AS codeHash, e.version' : 'NULL AS codeHash, NULL AS version'}`;
  }

  query(query: EntryQuery = {}): EntryPage {
    const { where, params } = this.filter(query);
    const order = `${SORT_SQL[query.sort ?? 'created']} ${query.desc === false ? 'ASC' : 'DESC'}`;
    const rows = this.db.prepare(`SELECT ${this.infoColumns} FROM entries e LEFT JOIN access a ON a.id = e.id
      WHERE ${where} ORDER BY ${order}, e.id ${query.desc === false ? 'ASC' : 'DESC'} LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: query.limit ?? 50, offset: query.offset ?? 0 }) as InfoRow[];
    const total = this.db.prepare(`SELECT count(*) FROM entries e WHERE ${where}`).pluck().get(params) as number;
    return { rows: rows.map(entryInfo), total };
  }

  find(prefix: string, limit = 20): EntryInfo[] {
    // Keys are base64url (ASCII below 0x7f), so this range is exactly the keys starting with the prefix, on the index.
    const rows = this.db.prepare(`SELECT ${this.infoColumns} FROM entries e LEFT JOIN access a ON a.id = e.id
      WHERE e.key >= ? AND e.key < ? ORDER BY e.key LIMIT ?`).all(prefix, `${prefix}\x7f`, limit) as InfoRow[];
    return rows.map(entryInfo);
  }

  value(key: string): StoredBytes | undefined {
    const row = this.db.prepare(`SELECT value, blob, flags, expires_at AS expiresAt${this.has.checksum ? ', checksum' : ''} FROM entries WHERE key = ?`).get(key) as
      { value: Buffer | null; blob: string | null; flags: number; expiresAt: number | null; checksum?: unknown } | undefined;
    if (!row) return undefined;
    // The store's own check; a version 1 file has no checksums yet (the pipeline computes them when it migrates).
    const intact = this.has.checksum ? intactRow(key, row.flags, row.expiresAt, row.value, row.blob, row.checksum) : (row.value ?? row.blob) !== null;
    return intact ? storedBytes(row, this.blobs) : undefined;
  }

  functions(): FunctionSummary[] {
    const stored = this.db.prepare(this.has.indexes
      ? 'SELECT fn, entries, bytes, last_write AS lastWrite FROM fn_entries WHERE entries > 0'
      : 'SELECT fn, count(*) AS entries, sum(size) AS bytes, max(created_at) AS lastWrite FROM entries GROUP BY fn').all() as { fn: string; entries: number; bytes: number; lastWrite: number }[];
    const runs = this.db.prepare(`SELECT fn, hits, saved_ms AS savedMs, ${this.has.misses ? 'misses, compute_ms AS computeMs' : '0 AS misses, 0 AS computeMs'}
      FROM fn_stats`).all() as { fn: string; hits: number; savedMs: number; misses: number; computeMs: number }[];
    const byFn = new Map<string, FunctionSummary>();
    const summary = (fn: string): FunctionSummary => {
      let s = byFn.get(fn);
      if (!s) byFn.set(fn, (s = { fn, entries: 0, bytes: 0, hits: 0, misses: 0, savedMs: 0, computeMs: 0, lastWrite: null }));
      return s;
    };
    for (const row of stored) Object.assign(summary(row.fn), row);
    for (const row of runs) Object.assign(summary(row.fn), row);
    return [...byFn.values()].sort((a, b) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
  }

  days(fn?: string): DayStats[] {
    if (!this.has.days) return [];
    return this.db.prepare(`SELECT fn, day, hits, misses, saved_ms AS savedMs, compute_ms AS computeMs FROM fn_days
      WHERE @fn IS NULL OR fn = @fn ORDER BY day, fn`).all({ fn: fn ?? null }) as DayStats[];
  }

  code(fn: string, hash: string): CodeRecord | undefined {
    if (!this.has.code) return undefined;
    const row = this.db.prepare('SELECT fn, hash, body, deps, seen_at AS seenAt FROM code WHERE fn = ? AND hash = ?').get(fn, hash) as
      (Omit<CodeRecord, 'deps'> & { deps: string }) | undefined;
    return row && { ...row, deps: JSON.parse(row.deps) };
  }

  tags(): { tag: string; entries: number }[] {
    const sql = this.has.tagRows
      ? 'SELECT tag, count(*) AS entries FROM entry_tags GROUP BY tag ORDER BY tag'
      : "SELECT j.value AS tag, count(*) AS entries FROM entries e, json_each(e.tags) j WHERE json_valid(e.tags) GROUP BY j.value ORDER BY j.value";
    return this.db.prepare(sql).all() as { tag: string; entries: number }[];
  }

  changes(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private filter(query: EntryQuery): { where: string; params: Record<string, unknown> } {
    const clauses: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (clause: string, name: string, value: unknown): void => {
      if (value === undefined) return;
      clauses.push(clause);
      params[name] = value;
    };
    add('e.fn = @fn', 'fn', query.fn);
    add(this.has.tagRows ? 'e.id IN (SELECT id FROM entry_tags WHERE tag = @tag)'
      : 'EXISTS (SELECT 1 FROM json_each(e.tags) j WHERE j.value = @tag)', 'tag', query.tag);
    // Keys and digests are ASCII below 0x7f, so [text, text + 0x7f) is exactly what starts with it, on an index.
    add(this.has.indexes
      ? `(e.key >= @text AND e.key < @text || char(127) OR e.fn IN (SELECT fn FROM fn_entries WHERE instr(fn, @text) > 0)
        OR e.id IN (SELECT id FROM entry_args WHERE digest >= @text AND digest < @text || char(127)))`
      : '(instr(e.key, @text) > 0 OR instr(e.fn, @text) > 0 OR instr(e.args, @text) > 0)', 'text', query.text || undefined);
    add('e.created_at >= @since', 'since', query.since);
    add('e.created_at < @before', 'before', query.before);
    add('e.size >= @minSize', 'minSize', query.minSize);
    add('e.size <= @maxSize', 'maxSize', query.maxSize);
    return { where: clauses.length > 0 ? clauses.join(' AND ') : '1', params };
  }
}
