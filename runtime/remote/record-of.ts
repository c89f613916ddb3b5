import type { Statement } from 'better-sqlite3';
import { SqliteStore } from '../store/sqlite-store.js';
import type { EntryRecord, Store, StoredValue } from '../store/store.js';

const metadata = new WeakMap<SqliteStore, Statement>();

/**
 * The whole record of an entry `store.get` found, so it can be copied to another store: a lookup returns only
 * what a hit needs. Known for the SQLite store (the local tier); undefined for other stores.
 */
export function recordOf(store: Store, key: string, found: StoredValue): EntryRecord | undefined {
  if (!(store instanceof SqliteStore)) return undefined;
  let statement = metadata.get(store);
  if (!statement) metadata.set(store, (statement = store.db.prepare('SELECT fn, size, args, tags FROM entries WHERE id = ? AND key = ?')));
  const row = statement.get(found.id, key) as { fn: string; size: number; args: string; tags: string } | undefined;
  if (!row) return undefined;
  const { id: _, ...stored } = found;
  return { ...stored, key, fn: row.fn, size: row.size, args: JSON.parse(row.args), tags: JSON.parse(row.tags) };
}
