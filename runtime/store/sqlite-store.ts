import type BetterSqlite3 from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CorruptEntryError } from '../errors.js';
import type { LimitState } from '../limit/limit-state.js';
import { SqliteLimitState } from '../limit/sqlite-limit-state.js';
import { entryChecksum, intactRow } from './checksum.js';
import type { Leases } from './leases.js';
import { SqliteLeases } from './sqlite-leases.js';
import { MIGRATIONS, READ_PRAGMAS, SCHEMA_VERSION, WRITE_PRAGMAS } from './sqlite-schema.js';
import { SchemaTooNewError, SchemaTooOldError } from './store-errors.js';
import { EntryFlag, pendingCounter, type CodeInfo, type EntryFilter, type EntryInfo, type EntryRecord, type HitCounter, type SizeLimits, type Store, type StoredValue, type StoreTotals } from './store.js';

/** Pending accesses are written after this many entries, and everything pending at least every FLUSH_MS. */
const FLUSH_ENTRIES = 4096;
const FLUSH_MS = 1000;
/** Entries whose access was recorded in this process are not recorded again until this many have been. */
const TOUCHED_MEMORY = 65_536;

type RecordRow = { fn: string; size: number; args: string; tags: string; codeHash: string | null; version: string | null; body: string | null; deps: string | null };

/** An entries row as SQL gives it: args and tags still JSON text. */
export type InfoRow = Omit<EntryInfo, 'args' | 'tags'> & { args: string; tags: string };

export function entryInfo(row: InfoRow): EntryInfo {
  return { ...row, args: JSON.parse(row.args), tags: JSON.parse(row.tags) };
}

type Row = [id: number, value: Buffer | null, createdAt: number, expiresAt: number | null, computeMs: number, flags: number, checksum: number | null];

/**
 * How a store opens its file: `write` (the default: created and migrated if needed), `read` (an existing file,
 * read-only, for a cache in a directory this process may not write), `snapshot` (the file's bytes copied into
 * memory, read-only: for a read-only directory where SQLite cannot open the WAL file in place).
 */
export type SqliteOpenMode = 'write' | 'read' | 'snapshot';

let Database: typeof BetterSqlite3 | undefined;
/** The path of better-sqlite3's addon, when it sits where its own build puts it; else it finds the addon itself. */
let nativeBinding: string | undefined;

/** better-sqlite3 is loaded on the first store, so importing the runtime costs nothing for injected stores. */
function loadDatabase(): typeof BetterSqlite3 {
  if (Database) return Database;
  const require = createRequire(import.meta.url);
  Database = require('better-sqlite3') as typeof BetterSqlite3;
  // Its own lookup of the addon (the `bindings` package, which reads a stack trace and tries a dozen paths) costs
  // ≈ 3 ms of a process's first hit. Found through the module cache, not require.resolve, which bundlers rewrite;
  // in a bundle whose require has no such cache, better-sqlite3 looks as before.
  const main = Object.values(require.cache ?? {}).find(m => m?.exports === Database)?.filename;
  const addon = main && join(dirname(main), '..', 'build', 'Release', 'better_sqlite3.node');
  nativeBinding = addon && existsSync(addon) ? addon : undefined;
  return Database;
}

/** The embedded store: one SQLite file per spot, WAL, statements prepared once per connection. */
export class SqliteStore implements Store {
  /** @internal */
  readonly db: BetterSqlite3.Database;
  readonly readonly: boolean;
  /** Single-flight leases shared by the processes using this file (none on a read-only store: it never computes for others). */
  readonly leases: Leases | undefined;
  /** Rate limits shared by the processes using this file; none read-only (a read-only spot limits in process). */
  readonly limits: LimitState | undefined;
  /** Told when a flush off the caller's path fails (the spot moves a damaged file aside). */
  onFlushError: ((error: unknown) => void) | undefined;
  private readonly pendingAccess = new Map<number, number>();
  private readonly touched = new Set<number>();
  private readonly counters = new Map<string, HitCounter>();
  private readonly codeSeen = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly stmt;

  constructor(readonly file: string, mode: SqliteOpenMode = 'write') {
    const Db = loadDatabase();
    this.readonly = mode !== 'write';
    if (mode === 'write' && file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = mode === 'snapshot' ? new Db(snapshotBytes(file), { readonly: true, nativeBinding })
      : new Db(file, { readonly: this.readonly, fileMustExist: this.readonly, nativeBinding });
    try {
      for (const pragma of READ_PRAGMAS) this.db.pragma(pragma);
      if (this.readonly) {
        checkVersion(this.db, file);
      } else {
        refuseNewer(this.db, file); // before the first write: a newer file is never modified, not even its journal mode
        for (const pragma of WRITE_PRAGMAS) this.db.pragma(pragma);
        migrate(this.db, file);
      }
      this.stmt = this.prepare();
      this.leases = this.readonly ? undefined : new SqliteLeases(this.db);
      this.limits = this.readonly ? undefined : new SqliteLimitState(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
    // Pending bookkeeping is written every second; unref'd, so it never keeps a process alive.
    this.timer = setInterval(() => this.flushQuietly(), FLUSH_MS).unref();
  }

  private prepare() {
    return {
      // Every column costs on the hit path (~0.13 µs each, measured): the blob ref is read only when flagged.
      get: this.db.prepare('SELECT id, value, created_at, expires_at, compute_ms, flags, checksum FROM entries WHERE key = ?').raw(true),
      blobOf: this.db.prepare('SELECT blob FROM entries WHERE id = ?').pluck(),
      rest: this.db.prepare(`SELECT e.fn, e.size, e.args, e.tags, e.code_hash AS codeHash, e.version, c.body, c.deps
        FROM entries e LEFT JOIN code c ON c.fn = e.fn AND c.hash = e.code_hash WHERE e.id = ? AND e.key = ?`),
      put: this.db.prepare(`INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value, checksum, code_hash, version)
        VALUES (@key, @fn, @createdAt, @expiresAt, @computeMs, @size, @flags, @blob, @args, @tags, @value, @checksum, @codeHash, @version)
        ON CONFLICT (key) DO UPDATE SET fn = excluded.fn, created_at = excluded.created_at, expires_at = excluded.expires_at,
          compute_ms = excluded.compute_ms, size = excluded.size, flags = excluded.flags, blob = excluded.blob,
          args = excluded.args, tags = excluded.tags, value = excluded.value, checksum = excluded.checksum,
          code_hash = excluded.code_hash, version = excluded.version`),
      putCode: this.db.prepare('INSERT OR IGNORE INTO code (fn, hash, body, deps, seen_at) VALUES (?, ?, ?, ?, ?)'),
      touch: this.db.prepare('INSERT INTO access (id, at) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET at = max(at, excluded.at)'),
      countRuns: this.db.prepare(`INSERT INTO fn_stats (fn, hits, saved_ms, misses, compute_ms) VALUES (@fn, @hits, @savedMs, @misses, @computeMs)
        ON CONFLICT (fn) DO UPDATE SET hits = hits + excluded.hits, saved_ms = saved_ms + excluded.saved_ms,
          misses = misses + excluded.misses, compute_ms = compute_ms + excluded.compute_ms`),
      countDay: this.db.prepare(`INSERT INTO fn_days (fn, day, hits, misses, saved_ms, compute_ms) VALUES (@fn, @day, @hits, @misses, @savedMs, @computeMs)
        ON CONFLICT (fn, day) DO UPDATE SET hits = hits + excluded.hits, saved_ms = saved_ms + excluded.saved_ms,
          misses = misses + excluded.misses, compute_ms = compute_ms + excluded.compute_ms`),
      delete: this.db.prepare('DELETE FROM entries WHERE key = ?'),
      blobInUse: this.db.prepare('SELECT 1 FROM entries WHERE blob = ? LIMIT 1').pluck(),
      // Kept by triggers (schema v4): totals never scan the entries.
      sizes: this.db.prepare(`SELECT coalesce(sum(entries), 0) AS entries, coalesce(sum(bytes), 0) AS bytes FROM fn_entries WHERE @fn IS NULL OR fn = @fn`),
      hits: this.db.prepare(`SELECT coalesce(sum(hits), 0) AS hits, coalesce(sum(saved_ms), 0) AS savedMs,
        coalesce(sum(misses), 0) AS misses, coalesce(sum(compute_ms), 0) AS computeMs FROM fn_stats WHERE @fn IS NULL OR fn = @fn`),
      oldest: this.db.prepare(`SELECT e.key, e.size, e.blob FROM entries e LEFT JOIN access a ON a.id = e.id
        ORDER BY coalesce(a.at, e.created_at), e.id LIMIT ?`),
      expired: this.db.prepare('SELECT key, blob FROM entries WHERE expires_at <= ?'),
      staleLeases: this.db.prepare('DELETE FROM leases WHERE expires_at <= ?'),
      list: this.db.prepare(`SELECT e.key, e.fn, e.size, e.created_at AS createdAt, coalesce(a.at, e.created_at) AS accessedAt,
        e.expires_at AS expiresAt, e.compute_ms AS computeMs, e.blob, e.args, e.tags, e.code_hash AS codeHash, e.version
        FROM entries e LEFT JOIN access a ON a.id = e.id WHERE @fn IS NULL OR e.fn = @fn
        ORDER BY e.created_at DESC, e.id DESC LIMIT @limit OFFSET @offset`),
      matching: this.db.prepare(`SELECT key, blob FROM entries WHERE (@fn IS NULL OR fn = @fn) AND (@before IS NULL OR created_at < @before)
        AND (@tag IS NULL OR id IN (SELECT id FROM entry_tags WHERE tag = @tag))`),
    };
  }

  /** The entry, verified against its checksum: a damaged row throws `CorruptEntryError` (the caller's miss). */
  get(key: string): StoredValue | undefined {
    const row = this.stmt.get.get(key) as Row | undefined;
    if (row === undefined) return undefined;
    const [id, value, createdAt, expiresAt, computeMs, flags, checksum] = row;
    const blob = flags & EntryFlag.blob ? (this.stmt.blobOf.get(id) as string | null) : null;
    // Seeded with the key looked up, so a row reached through a damaged index (another row's) fails it too.
    if (!intactRow(key, flags, expiresAt, value, blob, checksum)) throw new CorruptEntryError(`[beautyspot] a stored entry does not match its checksum (in ${this.file})`);
    return { id, value, blob, createdAt, expiresAt, computeMs, flags };
  }

  record(key: string, found: StoredValue): EntryRecord | undefined {
    const row = this.stmt.rest.get(found.id, key) as RecordRow | undefined;
    if (!row) return undefined;
    const { id: _, ...stored } = found;
    const code: CodeInfo | undefined = row.codeHash === null ? undefined
      : { hash: row.codeHash, version: row.version ?? '', body: row.body ?? row.codeHash, deps: row.deps ? JSON.parse(row.deps) : [] };
    return { ...stored, key, fn: row.fn, size: row.size, args: JSON.parse(row.args), tags: JSON.parse(row.tags), ...(code ? { code } : {}) };
  }

  put(entry: EntryRecord): void {
    if (this.readonly) return;
    const flags = entry.blob === null ? entry.flags & ~EntryFlag.blob : entry.flags | EntryFlag.blob;
    this.stmt.put.run({
      key: entry.key,
      fn: entry.fn,
      createdAt: entry.createdAt,
      expiresAt: entry.expiresAt,
      computeMs: entry.computeMs,
      size: entry.size,
      flags,
      blob: entry.blob,
      args: JSON.stringify(entry.args),
      tags: JSON.stringify(entry.tags),
      value: entry.value,
      checksum: entryChecksum(entry.key, flags, entry.expiresAt, entry.value ?? entry.blob ?? ''),
      codeHash: entry.code?.hash ?? null,
      version: entry.code?.version ?? null,
    });
    if (entry.code) this.recordCode(entry.fn, entry.code, entry.createdAt);
  }

  /** The parts of a code hash, written once per function and hash (this process remembers which it wrote). */
  private recordCode(fn: string, code: CodeInfo, at: number): void {
    const id = `${fn}\0${code.hash}`;
    if (this.codeSeen.has(id)) return;
    this.stmt.putCode.run(fn, code.hash, code.body, JSON.stringify(code.deps), at);
    this.codeSeen.add(id);
  }

  touch(id: number, at: number): void {
    // Nothing is recorded read-only. A damaged row may carry an id beyond 2^53, which a JS number cannot name:
    // its access row would fail every flush.
    if (this.readonly || this.touched.has(id) || !Number.isSafeInteger(id)) return;
    if (this.touched.size >= TOUCHED_MEMORY) this.touched.clear();
    this.touched.add(id);
    this.pendingAccess.set(id, at);
    if (this.pendingAccess.size >= FLUSH_ENTRIES) this.flushQuietly();
  }

  counter(fn: string): HitCounter {
    return pendingCounter(this.counters, fn);
  }

  flush(): void {
    if (!this.db.open || this.readonly) return;
    const dirty = [...this.counters].filter(([, c]) => c.hits > 0 || c.misses > 0);
    if (this.pendingAccess.size === 0 && dirty.length === 0) return;
    const day = new Date().toISOString().slice(0, 10);
    this.transaction(() => {
      for (const [id, at] of this.pendingAccess) this.stmt.touch.run(id, at);
      for (const [fn, counter] of dirty) {
        this.stmt.countRuns.run({ fn, ...counter });
        this.stmt.countDay.run({ fn, day, ...counter });
      }
    });
    // Only once committed: a failed flush leaves everything pending for the next one.
    this.pendingAccess.clear();
    for (const [, counter] of dirty) Object.assign(counter, { hits: 0, savedMs: 0, misses: 0, computeMs: 0 });
  }

  delete(key: string): void {
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
        const page = this.stmt.oldest.all(256) as { key: string; size: number; blob: string | null }[];
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
    this.stmt.staleLeases.run(now); // left by holders that crashed
    return this.deleteRows(this.stmt.expired.all(now) as { key: string; blob: string | null }[]);
  }

  clear(filter: EntryFilter = {}): { entries: number; blobs: string[] } {
    this.flush();
    const where = { fn: filter.fn ?? null, tag: filter.tag ?? null, before: filter.before ?? null };
    return this.deleteRows(this.stmt.matching.all(where) as { key: string; blob: string | null }[]);
  }

  blobInUse(ref: string): boolean {
    return this.stmt.blobInUse.get(ref) !== undefined;
  }

  totals(fn?: string): StoreTotals {
    this.flush();
    const where = { fn: fn ?? null };
    return { ...(this.stmt.sizes.get(where) as Pick<StoreTotals, 'entries' | 'bytes'>), ...(this.stmt.hits.get(where) as Omit<StoreTotals, 'entries' | 'bytes'>) };
  }

  list(options: { fn?: string; limit?: number; offset?: number } = {}): EntryInfo[] {
    this.flush();
    const rows = this.stmt.list.all({ fn: options.fn ?? null, limit: options.limit ?? 100, offset: options.offset ?? 0 }) as InfoRow[];
    return rows.map(entryInfo);
  }

  close(): void {
    if (!this.db.open) return;
    clearInterval(this.timer);
    this.onFlushError = undefined; // closing: whoever closes has flushed first if it cares
    this.flushQuietly();
    this.db.close();
  }

  /**
   * Bookkeeping written off the caller's path (the timer, a full batch of accesses, close) never fails the caller:
   * when another process holds the write lock past the busy timeout, the disk is full or the file is damaged,
   * the flush is tried again later.
   */
  private flushQuietly(): void {
    try {
      this.flush();
    } catch (error) {
      // kept for the next try; hit counts and last access are bookkeeping, never a result
      this.onFlushError?.(error);
    }
  }

  private deleteRows(rows: { key: string; blob: string | null }[]): { entries: number; blobs: string[] } {
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

function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The file's schema version; one newer than this runtime's is refused. */
function refuseNewer(db: BetterSqlite3.Database, file: string): number {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) throw new SchemaTooNewError(file, version);
  return version;
}

function checkVersion(db: BetterSqlite3.Database, file: string): void {
  const version = refuseNewer(db, file);
  if (version < SCHEMA_VERSION) throw new SchemaTooOldError(file, version);
}

function migrate(db: BetterSqlite3.Database, file: string): void {
  if (schemaVersion(db) === SCHEMA_VERSION) return;
  db.function('beautyspot_checksum', { deterministic: true },
    (key, flags, expiresAt, content) => entryChecksum(key as string, Number(flags), expiresAt as number | null, content as Uint8Array | string));
  // Read the version again under the write lock: another process may have migrated meanwhile.
  db.transaction(() => {
    const version = refuseNewer(db, file);
    for (let v = version + 1; v <= SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * The file's bytes as an in-memory database can take them: marked as a rollback-journal file (header bytes
 * 18–19), since a WAL database cannot be deserialised. Uncheckpointed WAL frames are not included — a cleanly
 * closed cache has none.
 */
function snapshotBytes(file: string): Buffer {
  const bytes = readFileSync(file);
  if (bytes.length >= 100) bytes[18] = bytes[19] = 1;
  return bytes;
}
