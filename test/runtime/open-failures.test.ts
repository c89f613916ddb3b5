import Database from 'better-sqlite3';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Spot, SqliteStore, type SpotErrorEvent } from '../../runtime/index.js';
import { seeded } from '../helpers/arbitraries.js';
import { execOn, garbleStart } from '../helpers/damage.js';
import { tempDir } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const SPOT = 'opening';
const KEYS = [0, 1, 2, 3, 4];

/** A cached function of a spot, counting its runs: `square(n)` is `{ n, square: n * n }`. */
function squareOf(spot: Spot): { square: (n: number) => { n: number; square: number }; runs: () => number } {
  let runs = 0;
  const square = spot.mark(function square(n: number) {
    runs++;
    return { n, square: n * n };
  });
  return { square, runs: () => runs };
}

/** A spot in `dir` that records its onError events and the warnings it prints. */
function observed(dir: string): { spot: Spot; events: SpotErrorEvent[]; warnings: () => string[] } {
  const events: SpotErrorEvent[] = [];
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const calls = warn.mock.calls.length;
  const spot = new Spot(SPOT, { dir, onError: event => events.push(event) });
  return { spot, events, warnings: () => warn.mock.calls.slice(calls).map(call => String(call[0])) };
}

/** Calls every key twice; each call must return the function's value. Returns how often the body ran. */
function callTwice(spot: Spot): number {
  const { square, runs } = squareOf(spot);
  for (const round of [1, 2]) {
    for (const n of KEYS) expect(square(n), `round ${round}, square(${n})`).toEqual({ n, square: n * n });
  }
  spot.close();
  return runs();
}

/** A healthy cache with every key stored, closed, in a fresh directory. */
function filledCache(): { dir: string; file: string } {
  const dir = tempDir('bs-open-');
  expect(callTwice(new Spot(SPOT, { dir }))).toBe(KEYS.length);
  return { dir, file: join(dir, `${SPOT}.sqlite`) };
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const movedAside = (dir: string): string[] => readdirSync(dir).filter(name => name.startsWith(`${SPOT}.sqlite.damaged-`));

interface DamagedCase {
  name: string;
  damage: (file: string) => void;
  /** What the warning says is wrong, between "was damaged (" and ")". */
  reason: string;
}

const DAMAGED: DamagedCase[] = [
  { name: 'a garbage header', damage: file => garbleStart(file, seeded(1), 100), reason: 'file is not a database' },
  { name: 'a truncated file', damage: file => truncateSync(file, 4096 + 1000), reason: 'database disk image is malformed' },
  { name: 'the entries table dropped', damage: file => execOn(file, 'DROP TABLE entries'), reason: 'no such table: entries' },
  { name: 'the access table dropped', damage: file => execOn(file, 'DROP TABLE access'), reason: 'no such table: main.access' },
];

describe('a damaged cache file is moved aside and a fresh one started', () => {
  it.each(DAMAGED)('$name', ({ damage, reason }) => {
    const { dir, file } = filledCache();
    damage(file);
    const damagedBytes = readFileSync(file);
    const { spot, events, warnings } = observed(dir);

    expect(callTwice(spot), 'the fresh cache stores each result once').toBe(KEYS.length);
    const [aside, ...more] = movedAside(dir);
    expect(more).toEqual([]);
    expect(readFileSync(join(dir, aside!)).equals(damagedBytes), 'the moved-aside file keeps the damaged bytes').toBe(true);
    const problem = `${file} was damaged (${reason}); it was moved to ${join(dir, aside!)} and a fresh cache was started.`;
    expect(warnings()).toEqual([`[beautyspot] spot "${SPOT}": ${problem}`]);
    expect(events).toEqual([{ spot: SPOT, kind: 'open', fn: '', error: problem }]);

    const again = observed(dir);
    expect(callTwice(again.spot), 'a second spot on the fresh file hits').toBe(0);
    expect(again.events).toEqual([]);
    expect(again.warnings()).toEqual([]);
    expect(movedAside(dir)).toEqual([aside]);
  });
});

describe('a cache file found damaged after it was opened', () => {
  it('is moved aside at once, and the call that found it stores its result in the fresh file', () => {
    const { dir, file } = filledCache();
    // The key index's root page gets an invalid page type: opening reads nothing of it, the first lookup does.
    const db = new Database(file);
    const page = db.pragma('page_size', { simple: true }) as number;
    const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_entries_1'").pluck().get() as number;
    db.close();
    const damagedBytes = readFileSync(file);
    damagedBytes[(root - 1) * page] = 0x42;
    writeFileSync(file, damagedBytes);
    const { spot, events, warnings } = observed(dir);
    const { square, runs } = squareOf(spot);

    expect(square(1)).toEqual({ n: 1, square: 1 });
    expect(runs()).toBe(1);
    expect(square(1), 'stored in the fresh file').toEqual({ n: 1, square: 1 });
    expect(runs()).toBe(1);
    expect(square(2), 'the other entries went with the damaged file').toEqual({ n: 2, square: 4 });
    expect(runs()).toBe(2);
    spot.close();

    const [aside, ...more] = movedAside(dir);
    expect(more).toEqual([]);
    expect(readFileSync(join(dir, aside!)).equals(damagedBytes)).toBe(true);
    const problem = `${file} was damaged (database disk image is malformed); it was moved to ${join(dir, aside!)} and a fresh cache was started.`;
    expect(events.map(e => [e.kind, e.fn, (e.error as { code?: string }).code ?? e.error])).toEqual([
      ['read', 'square', 'SQLITE_CORRUPT'],
      ['open', '', problem],
    ]);
    expect(warnings()).toEqual([
      '[beautyspot] square: read failed (database disk image is malformed); treated as a miss and recomputed.',
      `[beautyspot] spot "${SPOT}": ${problem}`,
    ]);

    const again = observed(dir);
    const next = squareOf(again.spot);
    expect(next.square(1)).toEqual({ n: 1, square: 1 });
    expect(next.square(2)).toEqual({ n: 2, square: 4 });
    expect(next.runs(), 'a second spot hits both').toBe(0);
    again.spot.close();
    expect(again.events).toEqual([]);
  });
});

describe('a cache file with a newer schema is left untouched and the spot runs uncached', () => {
  it.each(['wal', 'delete'])('journal mode %s', mode => {
    const { dir, file } = filledCache();
    execOn(file, `PRAGMA journal_mode = ${mode}; PRAGMA user_version = 5`);
    const bytes = readFileSync(file);
    const problem = `${file} has schema version 5, newer than this beautyspot understands (4); calls run uncached. ` +
      'Upgrade beautyspot, or point the spot at another directory.';

    for (const instance of ['first', 'second']) {
      const { spot, events, warnings } = observed(dir);
      expect(callTwice(spot), `${instance} spot: every call runs`).toBe(2 * KEYS.length);
      expect(events, `${instance} spot`).toEqual([{ spot: SPOT, kind: 'open', fn: '', error: problem }]);
      // Warnings are printed once per message in a process: the second spot's is the first's.
      expect(warnings()).toEqual(instance === 'first' ? [`[beautyspot] spot "${SPOT}": ${problem}`] : []);
      expect(readFileSync(file).equals(bytes), `${instance} spot: the file was modified`).toBe(true);
    }
    expect(movedAside(dir)).toEqual([]);
  });
});

interface BlockedCase {
  name: string;
  /** Blocks the cache file of a spot in `dir`; returns the file the warning must name. */
  block: (dir: string) => { spotDir: string; file: string };
  /** What the warning says between the file and "; calls run uncached. ", and the fix after it. */
  problem: (file: string) => RegExp;
  unblock: (dir: string) => void;
}

const BLOCKED: BlockedCase[] = [
  {
    name: 'a directory where the file should be',
    block: dir => {
      mkdirSync(join(dir, `${SPOT}.sqlite`, 'inside'), { recursive: true });
      return { spotDir: dir, file: join(dir, `${SPOT}.sqlite`) };
    },
    problem: file => new RegExp(`^${escape(file)} is a directory, not a cache file; calls run uncached\\. Remove or rename it, or point the spot at another directory\\.$`),
    unblock: dir => rmSync(join(dir, `${SPOT}.sqlite`), { recursive: true }),
  },
  {
    name: 'a cache directory below a regular file (ENOTDIR)',
    block: dir => {
      writeFileSync(join(dir, 'plain-file'), 'not a directory');
      return { spotDir: join(dir, 'plain-file', 'cache'), file: join(dir, 'plain-file', 'cache', `${SPOT}.sqlite`) };
    },
    problem: file => new RegExp(`^${escape(file)} cannot be opened \\(ENOTDIR: not a directory, mkdir '${escape(join(file, '..'))}'\\); calls run uncached\\. ` +
      'Check the disk\'s free space and permissions\\. Make the directory writable, or set BEAUTYSPOT_DIR \\(or the spot\'s dir option\\) to one that is\\.$'),
    unblock: dir => rmSync(join(dir, 'plain-file')),
  },
];

describe('a cache file that cannot be opened at all leaves the spot uncached, until the obstacle is gone', () => {
  it.each(BLOCKED)('$name', ({ block, problem, unblock }) => {
    const dir = tempDir('bs-open-');
    const { spotDir, file } = block(dir);
    const { spot, events, warnings } = observed(spotDir);

    expect(callTwice(spot), 'every call runs').toBe(2 * KEYS.length);
    const [warning, ...more] = warnings();
    expect(more).toEqual([]);
    expect(warning).toMatch(new RegExp(`^\\[beautyspot\\] spot "${SPOT}": `));
    expect(warning!.slice(`[beautyspot] spot "${SPOT}": `.length)).toMatch(problem(file));
    expect(events).toEqual([{ spot: SPOT, kind: 'open', fn: '', error: warning!.slice(`[beautyspot] spot "${SPOT}": `.length) }]);

    unblock(dir);
    const healed = observed(spotDir);
    expect(callTwice(healed.spot), 'once the obstacle is gone, each result is stored once').toBe(KEYS.length);
    expect(healed.events).toEqual([]);
    expect(callTwice(new Spot(SPOT, { dir: spotDir })), 'and found by the next spot').toBe(0);
  });
});

// Schema version 1 exactly as beautyspot 09f3b16 created it, and its way of writing an entry.
const V1_SCHEMA = `
    CREATE TABLE entries (
      id          INTEGER PRIMARY KEY,
      key         TEXT    NOT NULL UNIQUE,   -- SHA-256 of the key bytes, base64url (43 characters)
      fn          TEXT    NOT NULL,          -- the function's stable id
      created_at  INTEGER NOT NULL,          -- epoch ms
      expires_at  INTEGER,                   -- epoch ms; NULL = never
      compute_ms  REAL    NOT NULL,          -- how long the miss took
      size        INTEGER NOT NULL,          -- encoded bytes, inline or blob
      flags       INTEGER NOT NULL DEFAULT 0, -- EntryFlag bits: 1 async, 2 blob
      blob        TEXT,                      -- blob ref when the value is offloaded
      args        TEXT    NOT NULL,          -- JSON [[param, digest], …]
      tags        TEXT    NOT NULL,          -- JSON [tag, …]
      value       BLOB                       -- last, so metadata reads skip overflow pages
    );
    CREATE INDEX entries_fn ON entries (fn, created_at);
    CREATE INDEX entries_expires ON entries (expires_at) WHERE expires_at IS NOT NULL;
    CREATE INDEX entries_blob ON entries (blob) WHERE blob IS NOT NULL;

    -- Last access per entry, apart from the wide entries rows so that recording it rewrites small pages.
    -- No row means "not read since it was written" (created_at counts).
    CREATE TABLE access (
      id INTEGER PRIMARY KEY,                -- entries.id
      at INTEGER NOT NULL                    -- epoch ms
    );
    CREATE TRIGGER entries_deleted AFTER DELETE ON entries BEGIN DELETE FROM access WHERE id = old.id; END;
    CREATE TRIGGER entries_rewritten AFTER UPDATE OF created_at ON entries BEGIN DELETE FROM access WHERE id = new.id; END;

    -- Hits and compute time saved per function, across runs.
    CREATE TABLE fn_stats (
      fn       TEXT PRIMARY KEY,
      hits     INTEGER NOT NULL,
      saved_ms REAL    NOT NULL
    ) WITHOUT ROWID;
  `;
const V1_PRAGMAS = ['busy_timeout = 5000', 'journal_mode = WAL', 'synchronous = NORMAL'];
const V1_PUT = `INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value)
        VALUES (@key, @fn, @createdAt, @expiresAt, @computeMs, @size, @flags, @blob, @args, @tags, @value)`;

/** The functions of the migration test: an inline value, an async one, a blob, one with a ttl. */
function migrationFns(spot: Spot) {
  let runs = 0;
  const fns = {
    inline: spot.mark(function inline(n: number) {
      runs++;
      return { n, text: `inline ${n}` };
    }),
    later: spot.mark(async function later(n: number) {
      runs++;
      return [n, -n];
    }),
    paged: spot.mark(function paged(n: number) {
      runs++;
      return new Uint8Array(3000).fill(n);
    }, { blob: true }),
    fresh: spot.mark(function fresh(n: number) {
      runs++;
      return `fresh ${n}`;
    }, { ttl: '1h' }),
  };
  return { fns, runs: () => runs };
}

async function callAll(spot: Spot): Promise<number> {
  const { fns, runs } = migrationFns(spot);
  for (const n of KEYS) {
    expect(fns.inline(n)).toEqual({ n, text: `inline ${n}` });
    expect(await fns.later(n)).toEqual([n, -n]);
    expect(fns.paged(n)).toEqual(new Uint8Array(3000).fill(n));
    expect(fns.fresh(n)).toBe(`fresh ${n}`);
  }
  spot.close();
  return runs();
}

/** `sqlite_master` with comments and layout taken out: what a schema change changes. */
function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name").all() as { type: string; name: string; sql: string }[];
    const version = db.pragma('user_version', { simple: true });
    return [`user_version ${version}`, ...rows.map(row => `${row.type} ${row.name}: ${row.sql.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim()}`)];
  } finally {
    db.close();
  }
}

const SCHEMA_V4 = [
  'user_version 4',
  'index entries_blob: CREATE INDEX entries_blob ON entries(blob)WHERE blob IS NOT NULL',
  'index entries_compute: CREATE INDEX entries_compute ON entries(compute_ms)',
  'index entries_created: CREATE INDEX entries_created ON entries(created_at)',
  'index entries_expires: CREATE INDEX entries_expires ON entries(expires_at)WHERE expires_at IS NOT NULL',
  'index entries_fn: CREATE INDEX entries_fn ON entries(fn,created_at)',
  'index entries_size: CREATE INDEX entries_size ON entries(size)',
  'table access: CREATE TABLE access(id INTEGER PRIMARY KEY,at INTEGER NOT NULL)',
  'table code: CREATE TABLE code(fn TEXT NOT NULL,hash TEXT NOT NULL,body TEXT NOT NULL,deps TEXT NOT NULL,seen_at INTEGER NOT ' +
    'NULL,PRIMARY KEY(fn,hash))WITHOUT ROWID',
  'table entries: CREATE TABLE entries(id INTEGER PRIMARY KEY,key TEXT NOT NULL UNIQUE,fn TEXT NOT NULL,created_at INTEGER NOT ' +
    'NULL,expires_at INTEGER,compute_ms REAL NOT NULL,size INTEGER NOT NULL,flags INTEGER NOT NULL DEFAULT 0,blob TEXT,args TEXT NOT ' +
    'NULL,tags TEXT NOT NULL,value BLOB,checksum INTEGER,code_hash TEXT,version TEXT)',
  'table entry_args: CREATE TABLE entry_args(digest TEXT NOT NULL,id INTEGER NOT NULL,PRIMARY KEY(digest,id))WITHOUT ROWID',
  'table entry_tags: CREATE TABLE entry_tags(tag TEXT NOT NULL,id INTEGER NOT NULL,PRIMARY KEY(tag,id))WITHOUT ROWID',
  'table fn_days: CREATE TABLE fn_days(fn TEXT NOT NULL,day TEXT NOT NULL,hits INTEGER NOT NULL,misses INTEGER NOT NULL,saved_ms REAL ' +
    'NOT NULL,compute_ms REAL NOT NULL,PRIMARY KEY(fn,day))WITHOUT ROWID',
  'table fn_entries: CREATE TABLE fn_entries(fn TEXT PRIMARY KEY,entries INTEGER NOT NULL,bytes INTEGER NOT NULL,last_write INTEGER ' +
    'NOT NULL)WITHOUT ROWID',
  'table fn_stats: CREATE TABLE fn_stats(fn TEXT PRIMARY KEY,hits INTEGER NOT NULL,saved_ms REAL NOT NULL,misses INTEGER NOT NULL ' +
    'DEFAULT 0,compute_ms REAL NOT NULL DEFAULT 0)WITHOUT ROWID',
  'table leases: CREATE TABLE leases(key TEXT PRIMARY KEY,owner TEXT NOT NULL,expires_at INTEGER NOT NULL)WITHOUT ROWID',
  'table limits: CREATE TABLE limits(bucket TEXT PRIMARY KEY,tat REAL NOT NULL)WITHOUT ROWID',
  "trigger entries_args_deleted: CREATE TRIGGER entries_args_deleted AFTER DELETE ON entries WHEN old.args <> '[]' BEGIN DELETE FROM " +
    "entry_args WHERE id = old.id AND digest IN(SELECT json_extract(value,'$[1]')FROM json_each(CASE WHEN json_valid(old.args)THEN " +
    "old.args ELSE '[]' END)); END",
  "trigger entries_args_inserted: CREATE TRIGGER entries_args_inserted AFTER INSERT ON entries WHEN new.args <> '[]' BEGIN INSERT OR " +
    "IGNORE INTO entry_args(digest,id)SELECT json_extract(j.value,'$[1]'),new.id FROM json_each(new.args)j WHERE " +
    "json_type(j.value,'$[1]')= 'text'; END",
  'trigger entries_args_updated: CREATE TRIGGER entries_args_updated AFTER UPDATE OF args ON entries WHEN new.args <> old.args BEGIN ' +
    "DELETE FROM entry_args WHERE id = old.id AND digest IN(SELECT json_extract(value,'$[1]')FROM json_each(CASE WHEN " +
    "json_valid(old.args)THEN old.args ELSE '[]' END)); INSERT OR IGNORE INTO entry_args(digest,id)SELECT " +
    "json_extract(j.value,'$[1]'),new.id FROM json_each(new.args)j WHERE json_type(j.value,'$[1]')= 'text'; END",
  'trigger entries_counted: CREATE TRIGGER entries_counted AFTER INSERT ON entries BEGIN INSERT INTO ' +
    'fn_entries(fn,entries,bytes,last_write)VALUES(new.fn,1,new.size,new.created_at)ON CONFLICT(fn)DO UPDATE SET entries = entries + ' +
    '1,bytes = bytes + excluded.bytes,last_write = max(last_write,excluded.last_write); END',
  'trigger entries_deleted: CREATE TRIGGER entries_deleted AFTER DELETE ON entries BEGIN DELETE FROM access WHERE id = old.id; END',
  'trigger entries_recounted: CREATE TRIGGER entries_recounted AFTER UPDATE OF fn,size,created_at ON entries BEGIN UPDATE fn_entries ' +
    'SET entries = entries - 1,bytes = bytes - old.size WHERE fn = old.fn; INSERT INTO ' +
    'fn_entries(fn,entries,bytes,last_write)VALUES(new.fn,1,new.size,new.created_at)ON CONFLICT(fn)DO UPDATE SET entries = entries + ' +
    '1,bytes = bytes + excluded.bytes,last_write = max(last_write,excluded.last_write); END',
  'trigger entries_rewritten: CREATE TRIGGER entries_rewritten AFTER UPDATE OF created_at ON entries BEGIN DELETE FROM access WHERE ' +
    'id = new.id; END',
  "trigger entries_tags_deleted: CREATE TRIGGER entries_tags_deleted AFTER DELETE ON entries WHEN old.tags <> '[]' BEGIN DELETE FROM " +
    "entry_tags WHERE id = old.id AND tag IN(SELECT value FROM json_each(CASE WHEN json_valid(old.tags)THEN old.tags ELSE '[]' END)); " +
    'END',
  "trigger entries_tags_inserted: CREATE TRIGGER entries_tags_inserted AFTER INSERT ON entries WHEN new.tags <> '[]' BEGIN INSERT OR " +
    "IGNORE INTO entry_tags(tag,id)SELECT j.value,new.id FROM json_each(new.tags)j WHERE j.type = 'text'; END",
  'trigger entries_tags_updated: CREATE TRIGGER entries_tags_updated AFTER UPDATE OF tags ON entries WHEN new.tags <> old.tags BEGIN ' +
    'DELETE FROM entry_tags WHERE id = old.id AND tag IN(SELECT value FROM json_each(CASE WHEN json_valid(old.tags)THEN old.tags ELSE ' +
    "'[]' END)); INSERT OR IGNORE INTO entry_tags(tag,id)SELECT j.value,new.id FROM json_each(new.tags)j WHERE j.type = 'text'; END",
  'trigger entries_uncounted: CREATE TRIGGER entries_uncounted AFTER DELETE ON entries BEGIN UPDATE fn_entries SET entries = entries ' +
    '- 1,bytes = bytes - old.size WHERE fn = old.fn; END',
];

describe('schema', () => {
  it('a fresh database has exactly the schema of version 4', () => {
    const file = join(tempDir('bs-schema-'), 'fresh.sqlite');
    new SqliteStore(file).close();
    expect(schemaOf(file)).toEqual(SCHEMA_V4);
  });

  it('a version 1 file written the version 1 way is migrated in place: every entry still hits with its value', async () => {
    // The entries a current spot writes, copied row by row into a file made by the version 1 schema.
    const current = tempDir('bs-v2-');
    expect(await callAll(new Spot(SPOT, { dir: current }))).toBe(4 * KEYS.length);
    const rows = (() => {
      const db = new Database(join(current, `${SPOT}.sqlite`), { readonly: true });
      try {
        return db.prepare(`SELECT key, fn, created_at AS createdAt, expires_at AS expiresAt, compute_ms AS computeMs, size, flags, blob, args, tags, value
          FROM entries ORDER BY id`).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    })();
    expect(rows).toHaveLength(4 * KEYS.length);
    expect(rows.filter(row => row.blob !== null)).toHaveLength(KEYS.length);

    const dir = tempDir('bs-v1-');
    cpSync(join(current, `${SPOT}.blobs`), join(dir, `${SPOT}.blobs`), { recursive: true });
    const file = join(dir, `${SPOT}.sqlite`);
    const v1 = new Database(file);
    for (const pragma of V1_PRAGMAS) v1.pragma(pragma);
    v1.exec(V1_SCHEMA);
    v1.pragma('user_version = 1');
    const put = v1.prepare(V1_PUT);
    for (const row of rows) put.run(row);
    v1.close();

    const { spot, events, warnings } = observed(dir);
    expect(await callAll(spot), 'every version 1 entry hits').toBe(0);
    expect(events).toEqual([]);
    expect(warnings()).toEqual([]);
    expect(schemaOf(file)).toEqual(SCHEMA_V4);
    const migrated = new Database(file, { readonly: true });
    try {
      expect(migrated.prepare('SELECT count(*) FROM entries WHERE checksum IS NULL').pluck().get()).toBe(0);
    } finally {
      migrated.close();
    }
  });
});
