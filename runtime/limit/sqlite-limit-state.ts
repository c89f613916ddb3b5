import type BetterSqlite3 from 'better-sqlite3';
import { waitFor, type Bucket, type LimitState } from './limit-state.js';

/**
 * A stored tat further ahead than this is not trusted (a damaged row, or the wall clock set back): the bucket
 * starts again from now, so no call waits on it for hours. A call books at most a minute of its limit, so only a
 * queue of well over a thousand waiting calls would reach it.
 */
const HORIZON_MS = 24 * 60 * 60 * 1000;

/**
 * Limit state in a cache's SQLite file (the `limits` table), shared by every process of the machine that uses the
 * file. The clock is the wall clock, the one processes share. Each reservation is one immediate transaction that
 * books every bucket, so concurrent processes queue behind each other and a failure books nothing.
 */
export class SqliteLimitState implements LimitState {
  private readonly book: (buckets: Bucket[], now: number) => number;

  constructor(db: BetterSqlite3.Database, private readonly now: () => number = Date.now) {
    // The GCRA step of limit-state.ts (`bookedTat`) in SQL, so each bucket is read and written by one statement.
    const upsert = db.prepare(`INSERT INTO limits (bucket, tat) VALUES (@id, @now + @step)
      ON CONFLICT (bucket) DO UPDATE SET tat = (CASE WHEN tat <= @horizon THEN max(tat, @now) ELSE @now END) + @step
      RETURNING tat`).pluck();
    this.book = db.transaction((buckets: Bucket[], now: number) => {
      let wait = 0;
      for (const bucket of buckets) {
        const tat = upsert.get({ id: bucket.id, now, step: bucket.cost * bucket.interval, horizon: now + HORIZON_MS });
        if (typeof tat !== 'number' || !Number.isFinite(tat)) {
          throw new Error(`[beautyspot] the rate-limit state of "${bucket.id}" read back as ${String(tat)}, not a time`);
        }
        wait = Math.max(wait, waitFor(tat, bucket, now));
      }
      return wait;
    }).immediate;
  }

  reserve(buckets: Bucket[]): number {
    return this.book(buckets, this.now());
  }
}
