import { accessSync, constants, existsSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { messageOf } from '../errors.js';
import { NoStore } from './no-store.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';
import { SqliteStore } from './sqlite-store.js';
import { SchemaTooNewError } from './store-errors.js';
import type { Store } from './store.js';

/** What opening a spot's cache file gave: a store to use, and what went wrong on the way (one warning). */
export interface OpenedStore {
  store: Store;
  problem?: string;
}

/** Why a file could not be opened for writing; each has its own policy (see `openSqliteStore`). */
type Failure = 'damaged' | 'too-new' | 'read-only' | 'unusable';

/** Above this size a read-only cache is not copied into memory (a snapshot), it is left unused. */
const SNAPSHOT_MAX_BYTES = 1024 ** 3; // 1 GiB

/** The file and inode behind each store opened for writing here, so one found damaged later can be moved aside. */
const origins = new WeakMap<Store, { file: string; inode: number | undefined }>();

const READ_ONLY_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_AUTH']);
const FIX_DIR = 'Make the directory writable, or set BEAUTYSPOT_DIR (or the spot\'s dir option) to one that is.';

/**
 * Opens a spot's SQLite file so that a cache problem never stops the caller's pipeline:
 *
 * | failure                                   | policy                                                   |
 * |-------------------------------------------|----------------------------------------------------------|
 * | damaged (not a database, malformed, a     | move the file aside (kept as `<file>.damaged-<time>`),   |
 * | table missing)                            | start a fresh one                                        |
 * | newer schema                              | leave it untouched, run uncached                         |
 * | read-only (directory or file)             | open it read-only: hits are served, nothing is stored    |
 * | anything else (disk full, a directory in  | run uncached                                             |
 * | its place, cannot create the directory)   |                                                          |
 *
 * Uncached means every call runs its body and returns its result. The problem is returned for one warning.
 */
export function openSqliteStore(file: string): OpenedStore {
  const st = statOf(file);
  if (st?.isDirectory()) {
    return uncached(file, 'is a directory, not a cache file', 'Remove or rename it, or point the spot at another directory.');
  }
  const inode = st?.ino;
  let error: unknown;
  try {
    refuseUnwritable(file);
    return { store: openForWriting(file, inode) };
  } catch (caught) {
    error = caught;
  }
  switch (classify(error)) {
    case 'damaged':
      return startFresh(file, inode, error);
    case 'too-new':
      return uncached(file, `has schema version ${(error as SchemaTooNewError).version}, newer than this beautyspot understands (${SCHEMA_VERSION})`,
        'Upgrade beautyspot, or point the spot at another directory.');
    case 'read-only':
      return openReadOnly(file, error);
    case 'unusable':
      return uncached(file, `cannot be opened (${messageOf(error)})`, `Check the disk's free space and permissions. ${FIX_DIR}`);
  }
}

/**
 * The store to use instead of one whose file turned out damaged after it was opened (SQLite found a malformed
 * page at a read or a write): the same policy as at opening, at once. Undefined when the error is not damage or
 * the store was not opened here (an injected store).
 */
export function replaceDamaged(store: Store, error: unknown): OpenedStore | undefined {
  const origin = origins.get(store);
  if (origin === undefined || classify(error) !== 'damaged') return undefined;
  origins.delete(store);
  store.close();
  return startFresh(origin.file, origin.inode, error);
}

/**
 * SQLite opens a write-protected file read-only without saying so, and when its -wal and -shm files exist
 * nothing is written while opening: every put would fail on its own later. So look first.
 */
function refuseUnwritable(file: string): void {
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(path)) accessSync(path, constants.W_OK);
  }
}

function openForWriting(file: string, inode: number | undefined): SqliteStore {
  const store = new SqliteStore(file);
  origins.set(store, { file, inode: inode ?? inodeOf(file) });
  return store;
}

function startFresh(file: string, inode: number | undefined, error: unknown): OpenedStore {
  const aside = moveAside(file, inode);
  try {
    return { store: openForWriting(file, undefined), problem: `${file} was damaged (${messageOf(error)}); ` +
      (aside ? `it was moved to ${aside} and ` : '') + 'a fresh cache was started.' };
  } catch (again) {
    return uncached(file, `was damaged (${messageOf(error)}) and a fresh one cannot be created (${messageOf(again)})`, FIX_DIR);
  }
}

function openReadOnly(file: string, error: unknown): OpenedStore {
  if (!existsSync(file)) return uncached(file, `cannot be created (${messageOf(error)})`, FIX_DIR);
  const served = `cannot be written (${messageOf(error)}); its entries are served read-only and new results are not stored. ${FIX_DIR}`;
  try {
    // In place when SQLite can read the WAL file; a cleanly closed cache in a read-only directory needs a snapshot.
    return { store: new SqliteStore(file, 'read'), problem: `${file} ${served}` };
  } catch (readError) {
    try {
      if (statSync(file).size > SNAPSHOT_MAX_BYTES) throw readError;
      return { store: new SqliteStore(file, 'snapshot'), problem: `${file} ${served}` };
    } catch (snapshotError) {
      return uncached(file, `cannot be written (${messageOf(error)}) nor read (${messageOf(snapshotError)})`, FIX_DIR);
    }
  }
}

/** Whether an error says the file is damaged (not a database, malformed, a table missing). */
export function isDamage(error: unknown): boolean {
  return classify(error) === 'damaged';
}

function classify(error: unknown): Failure {
  if (error instanceof SchemaTooNewError) return 'too-new';
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  if (typeof code !== 'string') return 'unusable';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT') || (code === 'SQLITE_ERROR' && /no such (table|column|index)/.test(message))) {
    return 'damaged';
  }
  if (code.startsWith('SQLITE_READONLY') || READ_ONLY_CODES.has(code)) return 'read-only';
  return 'unusable';
}

/** Renames a damaged file (and its WAL) aside, unless another process already replaced it; returns the new name. */
function moveAside(file: string, inode: number | undefined): string | undefined {
  if (inode === undefined || inodeOf(file) !== inode) return undefined;
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  try {
    renameSync(file, aside);
  } catch {
    return undefined;
  }
  try {
    renameSync(`${file}-wal`, `${aside}-wal`);
  } catch {
    // no WAL file
  }
  rmSync(`${file}-shm`, { force: true }); // rebuilt from the WAL by SQLite
  return aside;
}

function uncached(file: string, what: string, fix: string): OpenedStore {
  return { store: new NoStore(), problem: `${file} ${what}; calls run uncached. ${fix}` };
}

function statOf(file: string): Stats | undefined {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

function inodeOf(file: string): number | undefined {
  return statOf(file)?.ino;
}
