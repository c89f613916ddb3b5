import { createRequire } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { RateLimiter, SqliteStore, Spot, type SpotErrorEvent, type Store } from '../../runtime/index.js';
import type { Bucket, LimitState } from '../../runtime/limit/limit-state.js';
import { SqliteLimitState } from '../../runtime/limit/sqlite-limit-state.js';
import { NoStore } from '../../runtime/store/no-store.js';
import { tempDir } from '../helpers/temp-spot.js';

const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const T = 1000; // ms per request at 60 a minute
const bucket = (id: string, cost = 1): Bucket => ({ id, interval: T, burst: 1, cost });

afterEach(() => {
  vi.restoreAllMocks();
});

/** A writable store on `file`, closed when the test finishes. */
function storeOn(file: string): SqliteStore {
  const store = new SqliteStore(file);
  onTestFinished(() => store.close());
  return store;
}

/** A second connection to a cache file, as another process would have. */
function connect(file: string): BetterSqlite3.Database {
  const db = new Database(file);
  onTestFinished(() => {
    db.close();
  });
  return db;
}

function tatOf(file: string, id: string): unknown {
  return connect(file).prepare('SELECT tat FROM limits WHERE bucket = ?').pluck().get(id);
}

describe('SqliteLimitState', () => {
  it('is shared by every connection to the file: two stores book one queue', () => {
    const file = join(tempDir(), 'shared.sqlite');
    let now = 5_000;
    const a = new SqliteLimitState(storeOn(file).db, () => now);
    const b = new SqliteLimitState(storeOn(file).db, () => now);
    expect([a, b, a, b].map(state => state.reserve([bucket('s/default/rpm')]))).toEqual([0, T, 2 * T, 3 * T]);
    expect(b.reserve([bucket('s/other/rpm')])).toBe(0);
    now += 10 * T;
    expect(a.reserve([bucket('s/default/rpm')])).toBe(0);
  });

  it('is the store\'s limits, on the wall clock', () => {
    const file = join(tempDir(), 'wall.sqlite');
    const store = storeOn(file);
    expect(store.limits).toBeInstanceOf(SqliteLimitState);
    const before = Date.now();
    expect(store.limits!.reserve([bucket('s/default/rpm')])).toBe(0);
    const tat = tatOf(file, 's/default/rpm') as number;
    expect(tat).toBeGreaterThanOrEqual(before + T);
    expect(tat).toBeLessThanOrEqual(Date.now() + T);
  });

  it('books all buckets of a call or none', () => {
    const file = join(tempDir(), 'atomic.sqlite');
    const state = new SqliteLimitState(storeOn(file).db, () => 0);
    // NaN binds as NULL, which the table refuses: the second bucket fails after the first was written.
    expect(() => state.reserve([bucket('s/default/rpm'), bucket('s/default/tpm', NaN)])).toThrow(/NOT NULL/);
    expect(tatOf(file, 's/default/rpm')).toBeUndefined();
    expect(state.reserve([bucket('s/default/rpm')])).toBe(0);
    expect(tatOf(file, 's/default/rpm')).toBe(T);
  });

  it('fails, booking nothing, while another process holds the write lock past the busy timeout', () => {
    const file = join(tempDir(), 'busy.sqlite');
    const store = storeOn(file);
    store.db.pragma('busy_timeout = 20');
    const other = connect(file);
    other.exec('BEGIN IMMEDIATE');
    expect(() => store.limits!.reserve([bucket('s/default/rpm')])).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    other.exec('COMMIT');
    expect(store.limits!.reserve([bucket('s/default/rpm')])).toBe(0);
  });

  it('starts a bucket again whose stored time is not a time or lies more than a day ahead', () => {
    const file = join(tempDir(), 'damaged.sqlite');
    const state = new SqliteLimitState(storeOn(file).db, () => 1_000_000);
    const other = connect(file);
    const insert = other.prepare('INSERT INTO limits (bucket, tat) VALUES (?, ?)');
    for (const [id, tat] of [['far', 1e300], ['text', 'soon'], ['blob', Buffer.from('x')], ['day', 1_000_000 + 86_400_001]] as const) {
      insert.run(id, tat);
      expect(state.reserve([bucket(id)]), id).toBe(0);
      expect(tatOf(file, id), id).toBe(1_000_000 + T);
    }
    insert.run('queued', 1_000_000 + 3_600_000);
    expect(state.reserve([bucket('queued')])).toBe(3_600_000);
  });

  it('is absent on read-only and uncached stores', () => {
    const file = join(tempDir(), 'ro.sqlite');
    storeOn(file).close();
    const readOnly = new SqliteStore(file, 'read');
    onTestFinished(() => readOnly.close());
    expect(readOnly.limits).toBeUndefined();
    expect((new NoStore() as Store).limits).toBeUndefined();
  });
});

/** A spot in a fresh dir that records its onError events, with console.warn silenced and spied on. */
function observed(name: string, options: ConstructorParameters<typeof Spot>[1] = {}) {
  const events: SpotErrorEvent[] = [];
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const spot = new Spot(name, { dir: tempDir(), ...options, onError: event => events.push(event) });
  onTestFinished(() => spot.close());
  return { spot, events, warn, file: join(spot.dir, `${name}.sqlite`) };
}

function limiterOf(spot: Spot, name?: string): RateLimiter {
  return spot.limiter(name)!;
}

describe('a spot\'s limits', () => {
  it('live in its SQLite file as <spot>/<limit>/rpm|tpm', async () => {
    const { spot, events, file } = observed('books', { limit: { rpm: 600_000 }, limits: { tokens: { tpm: 1_000_000 } } });
    const f = spot.mark((x: number) => x + 1, { name: 'f' });
    const g = spot.mark(async (x: string) => x.length, { name: 'g', limit: 'tokens', cost: x => x.length });
    expect(f(1)).toBe(2);
    expect(await g('abc')).toBe(3);
    const rows = connect(file).prepare('SELECT bucket FROM limits ORDER BY bucket').pluck().all();
    expect(rows).toEqual(['books/default/rpm', 'books/tokens/tpm']);
    expect(events).toEqual([]);
  });

  it('are shared by two spots on one directory, as by two processes', () => {
    const dir = tempDir();
    const spots = [0, 1].map(() => new Spot('twin', { dir, limit: { rpm: 60 } }));
    onTestFinished(() => spots.forEach(spot => spot.close()));
    for (const spot of spots) spot.parts();
    expect(limiterOf(spots[0]!).reserve(1)).toBe(0);
    // The second spot's first call queues behind the first one's: about a second, less what has passed since.
    expect(limiterOf(spots[1]!).reserve(1)).toBeGreaterThan(T / 2);
  });

  it('fall back to this process, with one warning, while the shared state fails, and return to it after', () => {
    const { spot, events, warn, file } = observed('locked', { limit: { rpm: 60 } });
    const f = spot.mark((x: number) => x * 2, { name: 'f' });
    (spot.parts().store as SqliteStore).db.pragma('busy_timeout = 20');
    const other = connect(file);
    other.exec('BEGIN IMMEDIATE');
    expect(f(21)).toBe(42);
    // The in-process state now holds that booking: the next call would wait a second.
    expect(limiterOf(spot).reserve(1)).toBeGreaterThan(T / 2);
    // The lock fails the single-flight lease and the entry's write too (reported as such); the result was
    // returned all the same.
    expect(events.map(e => [e.kind, e.fn, (e.error as { code?: string }).code])).toEqual([['lease', 'f', 'SQLITE_BUSY'],
      ['limit', '', 'SQLITE_BUSY'], ['write', 'f', 'SQLITE_BUSY'], ['limit', '', 'SQLITE_BUSY']]);
    expect(warn.mock.calls.filter(([line]) => String(line).includes('rate-limit'))).toEqual([[
      '[beautyspot] spot "locked": the rate-limit state shared with other processes failed ' +
      '(database is locked); calls are limited in this process alone until it works again.']]);
    other.exec('ROLLBACK');
    expect(limiterOf(spot).reserve(1)).toBe(0);
    expect(tatOf(file, 'locked/default/rpm')).toEqual(expect.any(Number));
    expect(events).toHaveLength(4);
  });

  it('move a file found damaged by a booking aside, like any other damage, and book in the fresh one', () => {
    const { spot, events, file } = observed('damaged', { limit: { rpm: 60 } });
    const f = spot.mark((x: number) => x * 2, { name: 'f' });
    spot.parts();
    connect(file).exec('DROP TABLE limits');
    expect(f(1)).toBe(2);
    // The booking's failure, then the fresh file that replaced the damaged one.
    expect(events.map(e => e.kind)).toEqual(['limit', 'open']);
    expect(readdirSync(spot.dir).some(name => name.startsWith('damaged.sqlite.damaged-'))).toBe(true);
    expect(limiterOf(spot).reserve(1)).toBe(0);
    expect(tatOf(file, 'damaged/default/rpm')).toEqual(expect.any(Number));
  });

  it('hold in process on a read-only store, with nothing written and nothing reported', () => {
    const dir = tempDir();
    new Spot('ro', { dir }).parts().store.close();
    const store = new SqliteStore(join(dir, 'ro.sqlite'), 'read');
    const { spot, events } = observed('ro', { dir, store, limit: { rpm: 60 } });
    expect(limiterOf(spot).reserve(1)).toBe(0);
    expect(limiterOf(spot).reserve(1)).toBeGreaterThan(T / 2);
    expect(events).toEqual([]);
    expect(connect(join(dir, 'ro.sqlite')).prepare('SELECT count(*) FROM limits').pluck().get()).toBe(0);
    expect(existsSync(join(dir, 'ro.sqlite'))).toBe(true);
  });

  it('use the async form of a remote state for async functions, and fall back when it rejects', async () => {
    const real = storeOn(join(tempDir(), 'remote.sqlite'));
    const calls: string[] = [];
    const gone: LimitState = {
      reserve: () => {
        calls.push('reserve');
        throw new Error('the connection is closed');
      },
      reserveAsync: async () => {
        calls.push('reserveAsync');
        throw new Error('the connection is closed');
      },
    };
    const remote: Store = Object.assign(Object.create(real) as SqliteStore, { limits: gone });
    const { spot, events } = observed('remote', { store: remote, limit: { rpm: 600_000 } });
    expect(await spot.mark(async (x: number) => x + 1, { name: 'a' })(1)).toBe(2);
    expect(spot.mark((x: number) => x + 2, { name: 's' })(1)).toBe(3);
    expect(calls).toEqual(['reserveAsync', 'reserve']);
    expect(events.map(e => [e.kind, (e.error as Error).message])).toEqual([['limit', 'the connection is closed'], ['limit', 'the connection is closed']]);
  });
});
