import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BeautyspotError } from '../errors.js';
import { MIGRATIONS, PRAGMAS, SCHEMA_VERSION } from './sqlite-schema.js';
import type { EntryInfo, EntryRecord, SizeLimits, Store, StoredValue, StoreTotals } from './store.js';

/** Pending hits are written after this many distinct keys, or at the latest after FLUSH_MS. */
const FLUSH_KEYS = 1024;
const FLUSH_MS = 1000;

interface PendingTouch {
  key: Buffer;
  at: number;
  hits: number;
}

type Row = [value: Buffer | null, blob: string | null, expiresAt: number | null, computeMs: number, flags: number];

/** The embedded store: one SQLite file per spot, WAL, statements prepared once per connection. */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly pending = new Map<string, PendingTouch>();
  private timer: NodeJS.Timeout | undefined;
  private readonly stmt;

  constructor(readonly file: string) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    for (const pragma of PRAGMAS) this.db.pragma(pragma);
    migrate(this.db, file);
    this.stmt = {
      get: this.db.prepare('SELECT value, blob, expires_at, compute_ms, flags FROM entries WHERE key = ?').raw(true),
      put: this.db.prepare(`INSERT OR REPLACE INTO entries
        (key, fn, created_at, accessed_at, expires_at, compute_ms, hits, size, flags, blob, args, tags, value)
        VALUES (@key, @fn, @createdAt, @createdAt, @expiresAt, @computeMs, 0, @size, @flags, @blob, @args, @tags, @value)`),
      touch: this.db.prepare('UPDATE entries SET accessed_at = max(accessed_at, ?), hits = hits + ? WHERE key = ?'),
      delete: this.db.prepare('DELETE FROM entries WHERE key = ?'),
      blobInUse: this.db.prepare('SELECT 1 FROM entries WHERE blob = ? LIMIT 1').pluck(),
      totals: this.db.prepare(`SELECT count(*) AS entries, coalesce(sum(size), 0) AS bytes, coalesce(sum(hits), 0) AS hits,
        coalesce(sum(hits * compute_ms), 0) AS savedMs FROM entries WHERE @fn IS NULL OR fn = @fn`),
      oldest: this.db.prepare('SELECT key, size, blob FROM entries ORDER BY accessed_at, id LIMIT ?'),
      expired: this.db.prepare('SELECT key, blob FROM entries WHERE expires_at <= ?'),
      list: this.db.prepare(`SELECT hex(key) AS key, fn, size, created_at AS createdAt, accessed_at AS accessedAt,
        expires_at AS expiresAt, compute_ms AS computeMs, hits, blob, args, tags
        FROM entries WHERE @fn IS NULL OR fn = @fn ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset`),
      matching: this.db.prepare('SELECT key, blob FROM entries WHERE @fn IS NULL OR fn = @fn'),
    };
  }

  get(key: Buffer): StoredValue | undefined {
    const row = this.stmt.get.get(key) as Row | undefined;
    if (row === undefined) return undefined;
    return { value: row[0], blob: row[1], expiresAt: row[2], computeMs: row[3], flags: row[4] };
  }

  put(entry: EntryRecord): void {
    this.stmt.put.run({
      key: entry.key,
      fn: entry.fn,
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
      computeMs: entry.computeMs,
      size: entry.size,
      flags: entry.flags,
      blob: entry.blob,
      args: JSON.stringify(entry.args),
      tags: JSON.stringify(entry.tags),
      value: entry.value,
    });
  }

  touch(key: Buffer, at: number): void {
    const id = key.toString('latin1');
    const seen = this.pending.get(id);
    if (seen) {
      seen.at = at;
      seen.hits++;
      return;
    }
    this.pending.set(id, { key, at, hits: 1 });
    if (this.pending.size >= FLUSH_KEYS) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 || !this.db.open) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.transaction(() => {
      for (const t of batch) this.stmt.touch.run(t.at, t.hits, t.key);
    });
  }

  delete(key: Buffer): void {
    this.stmt.delete.run(key);
  }

  evict(limits: SizeLimits): { entries: number; bytes: number; blobs: string[] } {
    this.flush();
    const totals = this.totals();
    let entries = totals.entries;
    let bytes = totals.bytes;
    const over = (): boolean =>
      (limits.maxEntries !== undefined && entries > limits.maxEntries) || (limits.maxBytes !== undefined && bytes > limits.maxBytes);
    if (!over()) return { entries: 0, bytes: 0, blobs: [] };
    const removed = { entries: 0, bytes: 0, blobs: [] as string[] };
    const candidateBlobs = new Set<string>();
    this.transaction(() => {
      // Take in pages so a huge cache is not read into memory at once.
      while (over()) {
        const page = this.stmt.oldest.all(256) as { key: Buffer; size: number; blob: string | null }[];
        if (page.length === 0) break;
        for (const row of page) {
          if (!over()) break;
          this.stmt.delete.run(row.key);
          entries--;
          bytes -= row.size;
          removed.entries++;
          removed.bytes += row.size;
          if (row.blob) candidateBlobs.add(row.blob);
        }
      }
      removed.blobs = this.unusedBlobs(candidateBlobs);
    });
    return removed;
  }

  deleteExpired(now: number): { entries: number; blobs: string[] } {
    return this.deleteRows(this.stmt.expired.all(now) as { key: Buffer; blob: string | null }[]);
  }

  clear(fn?: string): { entries: number; blobs: string[] } {
    this.flush();
    return this.deleteRows(this.stmt.matching.all({ fn: fn ?? null }) as { key: Buffer; blob: string | null }[]);
  }

  blobInUse(ref: string): boolean {
    return this.stmt.blobInUse.get(ref) !== undefined;
  }

  totals(fn?: string): StoreTotals {
    return this.stmt.totals.get({ fn: fn ?? null }) as StoreTotals;
  }

  list(options: { fn?: string; limit?: number; offset?: number } = {}): EntryInfo[] {
    this.flush();
    const rows = this.stmt.list.all({ fn: options.fn ?? null, limit: options.limit ?? 100, offset: options.offset ?? 0 }) as
      (Omit<EntryInfo, 'args' | 'tags'> & { args: string; tags: string })[];
    return rows.map(row => ({ ...row, key: row.key.toLowerCase(), args: JSON.parse(row.args), tags: JSON.parse(row.tags) }));
  }

  close(): void {
    if (!this.db.open) return;
    this.flush();
    this.db.close();
  }

  private deleteRows(rows: { key: Buffer; blob: string | null }[]): { entries: number; blobs: string[] } {
    let blobs: string[] = [];
    this.transaction(() => {
      for (const row of rows) this.stmt.delete.run(row.key);
      blobs = this.unusedBlobs(new Set(rows.flatMap(row => (row.blob ? [row.blob] : []))));
    });
    return { entries: rows.length, blobs };
  }

  private unusedBlobs(refs: Set<string>): string[] {
    return [...refs].filter(ref => !this.blobInUse(ref));
  }

  private transaction(work: () => void): void {
    this.db.transaction(work).immediate();
  }
}

function migrate(db: Database.Database, file: string): void {
  const current = (): number => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  // Read the version again under the write lock: another process may have migrated meanwhile.
  db.transaction(() => {
    const version = current();
    if (version > SCHEMA_VERSION) {
      throw new BeautyspotError(`[beautyspot] ${file} has schema version ${version}, newer than this beautyspot understands ` +
        `(${SCHEMA_VERSION}). Upgrade beautyspot, or point this spot at another directory.`);
    }
    for (let v = version + 1; v <= SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
