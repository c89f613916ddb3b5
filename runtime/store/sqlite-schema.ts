/** The schema version this runtime writes, kept in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 4;

/**
 * Migrations by the version they lead to, applied in order, so a fresh database and a migrated one are the
 * same. They may call the SQL function `beautyspot_checksum(key, flags, expires_at, value_or_blob)`, which the
 * store registers before migrating.
 */
export const MIGRATIONS: Record<number, string> = {
  1: `
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
  `,
  // A checksum per entry, verified on every read (store/checksum.ts). Existing rows get theirs from their
  // current bytes, so no entry is lost by the upgrade.
  2: `
    ALTER TABLE entries ADD COLUMN checksum INTEGER;
    UPDATE entries SET checksum = beautyspot_checksum(key, flags, expires_at, coalesce(value, blob));
  `,
  // State shared by the processes using this file: single-flight leases (store/leases.ts) and the GCRA state of
  // rate limits (limit/limit-state.ts).
  3: `
    CREATE TABLE leases (
      key        TEXT    PRIMARY KEY,        -- the entry key being computed
      owner      TEXT    NOT NULL,           -- who computes it (process and call)
      expires_at INTEGER NOT NULL            -- epoch ms; a holder that crashed or hangs loses it then
    ) WITHOUT ROWID;
    CREATE TABLE limits (
      bucket TEXT PRIMARY KEY,               -- <spot>/<limit>/rpm|tpm
      tat    REAL NOT NULL                   -- theoretical arrival time, epoch ms
    ) WITHOUT ROWID;
  `,
  // What the tools need: the code part of each key (`beautyspot why`), tags as rows (filtering on them), executions
  // and per-day counts (stats, charts), indexes for sorting the entry list. Entries written before stay, with NULL
  // code_hash/version ("not recorded"); their tags are indexed from their JSON.
  4: `
    ALTER TABLE entries ADD COLUMN code_hash TEXT;   -- the code hash in the key; NULL: written before v4
    ALTER TABLE entries ADD COLUMN version TEXT;     -- the version option in the key; NULL: written before v4
    CREATE INDEX entries_created ON entries (created_at);
    CREATE INDEX entries_size ON entries (size);
    CREATE INDEX entries_compute ON entries (compute_ms);

    -- The parts each code hash covered, once per function and hash.
    CREATE TABLE code (
      fn      TEXT    NOT NULL,
      hash    TEXT    NOT NULL,
      body    TEXT    NOT NULL,              -- hash of the function's own normalised source
      deps    TEXT    NOT NULL,              -- JSON [["<file>#<name>", hash], …]
      seen_at INTEGER NOT NULL,              -- epoch ms, first entry written with it
      PRIMARY KEY (fn, hash)
    ) WITHOUT ROWID;

    CREATE TABLE entry_tags (
      tag TEXT    NOT NULL,
      id  INTEGER NOT NULL,                  -- entries.id
      PRIMARY KEY (tag, id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO entry_tags (tag, id)
      SELECT j.value, e.id FROM entries e, json_each(e.tags) j WHERE json_valid(e.tags) AND j.type = 'text';
    -- Rows go by the old value's tags, through the primary key: an index on id would be one more b-tree every miss writes.
    CREATE TRIGGER entries_tags_deleted AFTER DELETE ON entries WHEN old.tags <> '[]' BEGIN
      DELETE FROM entry_tags WHERE id = old.id AND tag IN (SELECT value FROM json_each(CASE WHEN json_valid(old.tags) THEN old.tags ELSE '[]' END));
    END;
    CREATE TRIGGER entries_tags_inserted AFTER INSERT ON entries WHEN new.tags <> '[]' BEGIN
      INSERT OR IGNORE INTO entry_tags (tag, id) SELECT j.value, new.id FROM json_each(new.tags) j WHERE j.type = 'text';
    END;
    CREATE TRIGGER entries_tags_updated AFTER UPDATE OF tags ON entries WHEN new.tags <> old.tags BEGIN
      DELETE FROM entry_tags WHERE id = old.id AND tag IN (SELECT value FROM json_each(CASE WHEN json_valid(old.tags) THEN old.tags ELSE '[]' END));
      INSERT OR IGNORE INTO entry_tags (tag, id) SELECT j.value, new.id FROM json_each(new.tags) j WHERE j.type = 'text';
    END;

    -- What each function holds now, kept by triggers, so the tools' per-function totals never scan the entries.
    CREATE TABLE fn_entries (
      fn         TEXT    PRIMARY KEY,
      entries    INTEGER NOT NULL,
      bytes      INTEGER NOT NULL,
      last_write INTEGER NOT NULL            -- the newest created_at written (deletions leave it)
    ) WITHOUT ROWID;
    INSERT INTO fn_entries (fn, entries, bytes, last_write) SELECT fn, count(*), sum(size), max(created_at) FROM entries GROUP BY fn;
    CREATE TRIGGER entries_counted AFTER INSERT ON entries BEGIN
      INSERT INTO fn_entries (fn, entries, bytes, last_write) VALUES (new.fn, 1, new.size, new.created_at)
        ON CONFLICT (fn) DO UPDATE SET entries = entries + 1, bytes = bytes + excluded.bytes, last_write = max(last_write, excluded.last_write);
    END;
    CREATE TRIGGER entries_uncounted AFTER DELETE ON entries BEGIN
      UPDATE fn_entries SET entries = entries - 1, bytes = bytes - old.size WHERE fn = old.fn;
    END;
    CREATE TRIGGER entries_recounted AFTER UPDATE OF fn, size, created_at ON entries BEGIN
      UPDATE fn_entries SET entries = entries - 1, bytes = bytes - old.size WHERE fn = old.fn;
      INSERT INTO fn_entries (fn, entries, bytes, last_write) VALUES (new.fn, 1, new.size, new.created_at)
        ON CONFLICT (fn) DO UPDATE SET entries = entries + 1, bytes = bytes + excluded.bytes, last_write = max(last_write, excluded.last_write);
    END;

    -- Argument digests as rows, so finding entries by a digest (or its start) uses an index.
    CREATE TABLE entry_args (
      digest TEXT    NOT NULL,
      id     INTEGER NOT NULL,               -- entries.id
      PRIMARY KEY (digest, id)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO entry_args (digest, id)
      SELECT json_extract(j.value, '$[1]'), e.id FROM entries e, json_each(e.args) j WHERE json_valid(e.args) AND json_type(j.value, '$[1]') = 'text';
    CREATE TRIGGER entries_args_deleted AFTER DELETE ON entries WHEN old.args <> '[]' BEGIN
      DELETE FROM entry_args WHERE id = old.id AND digest IN
        (SELECT json_extract(value, '$[1]') FROM json_each(CASE WHEN json_valid(old.args) THEN old.args ELSE '[]' END));
    END;
    CREATE TRIGGER entries_args_inserted AFTER INSERT ON entries WHEN new.args <> '[]' BEGIN
      INSERT OR IGNORE INTO entry_args (digest, id) SELECT json_extract(j.value, '$[1]'), new.id FROM json_each(new.args) j
        WHERE json_type(j.value, '$[1]') = 'text';
    END;
    CREATE TRIGGER entries_args_updated AFTER UPDATE OF args ON entries WHEN new.args <> old.args BEGIN
      DELETE FROM entry_args WHERE id = old.id AND digest IN
        (SELECT json_extract(value, '$[1]') FROM json_each(CASE WHEN json_valid(old.args) THEN old.args ELSE '[]' END));
      INSERT OR IGNORE INTO entry_args (digest, id) SELECT json_extract(j.value, '$[1]'), new.id FROM json_each(new.args) j
        WHERE json_type(j.value, '$[1]') = 'text';
    END;

    ALTER TABLE fn_stats ADD COLUMN misses INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE fn_stats ADD COLUMN compute_ms REAL NOT NULL DEFAULT 0;
    CREATE TABLE fn_days (
      fn         TEXT    NOT NULL,
      day        TEXT    NOT NULL,           -- UTC, YYYY-MM-DD
      hits       INTEGER NOT NULL,
      misses     INTEGER NOT NULL,
      saved_ms   REAL    NOT NULL,
      compute_ms REAL    NOT NULL,
      PRIMARY KEY (fn, day)
    ) WITHOUT ROWID;
  `,
};

/** Connection settings, measured for the hit path (see docs/architecture.md, "SQLite tuning"). */
export const READ_PRAGMAS = [
  'busy_timeout = 5000',
  'cache_size = -65536', // 64 MiB page cache
  'mmap_size = 1073741824', // 1 GiB memory map: reads skip the page-cache copy
  'temp_store = MEMORY',
];

/** Settings that write the file: only for connections that may write. */
export const WRITE_PRAGMAS = [
  'journal_mode = WAL',
  'synchronous = NORMAL',
];
