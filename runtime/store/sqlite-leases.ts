import type BetterSqlite3 from 'better-sqlite3';
import { ownerIsGone, type Leases } from './leases.js';

/**
 * Leases in the cache's own SQLite file, shared by every process that opens it, on the wall clock (which all
 * of them read alike). A lease is one row; taking one is one upsert that only wins over an expired row or our own.
 */
export class SqliteLeases implements Leases {
  private readonly stmt;

  constructor(db: BetterSqlite3.Database) {
    this.stmt = {
      acquire: db.prepare(`INSERT INTO leases (key, owner, expires_at) VALUES (@key, @owner, @until)
        ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE leases.expires_at <= @now OR leases.owner = excluded.owner`),
      holder: db.prepare('SELECT owner FROM leases WHERE key = ?').pluck(),
      takeOver: db.prepare('UPDATE leases SET owner = @owner, expires_at = @until WHERE key = @key AND owner = @from'),
      renew: db.prepare('UPDATE leases SET expires_at = @until WHERE key = @key AND owner = @owner'),
      release: db.prepare('DELETE FROM leases WHERE key = ? AND owner = ?'),
    };
  }

  acquire(key: string, owner: string, ms: number): boolean {
    const now = Date.now();
    if (this.stmt.acquire.run({ key, owner, until: now + ms, now }).changes === 1) return true;
    const holder = this.stmt.holder.get(key) as string | undefined;
    return holder !== undefined && ownerIsGone(holder) && this.stmt.takeOver.run({ key, owner, until: now + ms, from: holder }).changes === 1;
  }

  renew(key: string, owner: string, ms: number): boolean {
    return this.stmt.renew.run({ key, owner, until: Date.now() + ms }).changes === 1;
  }

  release(key: string, owner: string): void {
    this.stmt.release.run(key, owner);
  }
}
