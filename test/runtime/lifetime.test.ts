import Database from 'better-sqlite3';
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it, expect, vi } from 'vitest';
import type { Spot } from '../../runtime/index.js';
import { tempSpot } from '../helpers/temp-spot.js';

const T0 = new Date('2030-01-01T00:00:00Z').getTime();

afterEach(() => {
  vi.useRealTimers();
});

/** A body returning a fresh token per execution, so a stored value is told apart from a new one. */
function tokens(): { body: (x: number) => string; runs: () => number } {
  let runs = 0;
  return { body: (x: number) => `${x}#${++runs}`, runs: () => runs };
}

/** Calls the cached function named `name` (one entry per name); its value pads the name to 100 chars (102 bytes encoded). */
/** One entry per name, 100 characters long: `padded(name)` under the id `name`. */
function touchEntry(spot: Spot, name: string, options: { blob?: boolean } = {}): string {
  return spot.cachedRun(padded, { name, ...options })(name);
}

function padded(name: string): string {
  return name.padEnd(100, '.');
}

function storedNames(spot: Spot): string[] {
  return spot.entries().map(e => e.fn).sort();
}

function blobPath(spot: Spot, ref: string): string {
  return join(spot.dir, `${spot.name}.blobs`, ref.slice(0, 2), ref);
}

describe('ttl', () => {
  it('an entry of a function with a ttl is a miss once the ttl has passed', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'f', ttl: '30s' });
    expect(f(1)).toBe('1#1');
    vi.setSystemTime(T0 + 29_999);
    expect(f(1)).toBe('1#1');
    vi.setSystemTime(T0 + 30_000);
    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    // the recomputed entry lives another 30 s from now
    vi.setSystemTime(T0 + 59_999);
    expect(f(1)).toBe('1#2');
  });

  it('the spot ttl applies to its functions, and a function ttl overrides it', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot({ ttl: '10m' });
    const { body, runs } = tokens();
    const inherits = spot.cachedRun(body, { name: 'inherits' });
    const own = spot.cachedRun(body, { name: 'own', ttl: '1h' });
    expect(inherits(1)).toBe('1#1');
    expect(own(1)).toBe('1#2');
    vi.setSystemTime(T0 + 10 * 60_000);
    expect(inherits(1)).toBe('1#3');
    expect(own(1)).toBe('1#2');
    vi.setSystemTime(T0 + 60 * 60_000);
    expect(own(1)).toBe('1#4');
    expect(runs()).toBe(4);
  });

  it('without a ttl entries never expire', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'forever' });
    f(1);
    vi.setSystemTime(T0 + 10 * 365 * 86_400_000);
    expect(f(1)).toBe('1#1');
    expect(runs()).toBe(1);
    expect(spot.entries()[0]!.expiresAt).toBeNull();
  });

  it('ttl strings and milliseconds parse into the stored expiry', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    const cases = [['30s', 30_000], ['10m', 600_000], ['12h', 43_200_000], ['7d', 604_800_000], ['2w', 1_209_600_000],
      ['500ms', 500], ['1.5h', 5_400_000], [2500, 2500]] as const;
    for (const [ttl, ms] of cases) {
      spot.cachedRun((x: number) => x, { name: `ttl-${ttl}`, ttl })(1);
      const [entry] = spot.entries({ fn: `ttl-${ttl}` });
      expect(entry!.expiresAt! - entry!.createdAt, String(ttl)).toBe(ms);
    }
  });

  it('a bad ttl throws, naming the option', () => {
    const spot = tempSpot();
    for (const ttl of ['soon', '10 minutes', '5y', '-3s', '']) {
      // @ts-expect-error: not a duration
      expect(() => spot.mark((x: number) => x, { name: 'f', ttl }), ttl).toThrow(TypeError);
      // @ts-expect-error: not a duration
      expect(() => spot.mark((x: number) => x, { name: 'f', ttl })).toThrow('mark option "ttl" must be a duration like "30s", "10m", "12h" or "7d"');
    }
    for (const ttl of [0, -5, Number.NaN, Infinity]) {
      expect(() => spot.mark((x: number) => x, { name: 'f', ttl }), String(ttl)).toThrow(RangeError);
      expect(() => spot.mark((x: number) => x, { name: 'f', ttl })).toThrow('mark option "ttl" must be a positive number of milliseconds');
    }
    expect(() => spot.mark((x: number) => x, { name: 'f', ttl: '0s' })).toThrow(RangeError);
    // @ts-expect-error: not a duration
    expect(() => tempSpot({ ttl: 'tomorrow' })).toThrow('spot option "ttl" must be a duration like');
    // @ts-expect-error: not a duration
    expect(() => spot.cachedRun((x: number) => x, { ttl: true })).toThrow('cachedRun option "ttl" must be a duration');
  });
});

describe('eviction', () => {
  it('a spot holds maxEntries entries without evicting any', () => {
    const spot = tempSpot({ maxEntries: 5 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) touchEntry(spot, name);
    expect(storedNames(spot)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('never keeps more than maxEntries entries', () => {
    const spot = tempSpot({ maxEntries: 10 });
    for (let i = 0; i < 40; i++) {
      touchEntry(spot, `n${i}`);
      expect(spot.stats().stored.entries).toBeLessThanOrEqual(10);
    }
    expect(storedNames(spot)).toContain('n39');
  });

  it('evicts the least recently used entries first: hits count as use', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spot = tempSpot({ maxEntries: 5 });
    let now = T0;
    const at = (name: string): void => {
      vi.setSystemTime((now += 120_000));
      touchEntry(spot, name);
    };
    for (const name of ['e0', 'e1', 'e2', 'e3', 'e4']) at(name);
    // e0 and e1 are the oldest writes but were read last
    at('e1');
    at('e0');
    at('e5');
    // over 5 entries, the spot evicts to 90% of the limit (4): e2 and e3 are the least recently used
    expect(storedNames(spot)).toEqual(['e0', 'e1', 'e4', 'e5']);
  });

  it('evicts by maxBytes, least recently used first', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spot = tempSpot({ maxBytes: 5 * 102 });
    let now = T0;
    const at = (name: string): void => {
      vi.setSystemTime((now += 120_000));
      touchEntry(spot, name);
    };
    for (const name of ['b0', 'b1', 'b2', 'b3', 'b4']) at(name);
    expect(spot.stats().stored).toMatchObject({ entries: 5, bytes: 510 });
    at('b0');
    at('b5');
    // 612 bytes > 510: evicted down to 90% (459), the two least recently used go
    expect(storedNames(spot)).toEqual(['b0', 'b3', 'b4', 'b5']);
    expect(spot.stats().stored.bytes).toBe(408);
  });

  it('deletes the blob files of evicted entries', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const spot = tempSpot({ maxEntries: 2 });
    vi.setSystemTime(T0);
    touchEntry(spot, 'old', { blob: true });
    const oldBlob = blobPath(spot, spot.entries()[0]!.blob!);
    expect(existsSync(oldBlob)).toBe(true);
    vi.setSystemTime(T0 + 1000);
    touchEntry(spot, 'mid', { blob: true });
    vi.setSystemTime(T0 + 2000);
    touchEntry(spot, 'new', { blob: true });
    expect(storedNames(spot)).not.toContain('old');
    expect(existsSync(oldBlob)).toBe(false);
    for (const entry of spot.entries()) expect(existsSync(blobPath(spot, entry.blob!))).toBe(true);
  });
});

describe('gc', () => {
  it('deletes expired rows and their blobs, and keeps the rest', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    spot.cachedRun((n: number) => 'a'.repeat(n), { name: 'short', ttl: '1m', blob: true })(300);
    spot.cachedRun((n: number) => 'b'.repeat(n), { name: 'shortInline', ttl: '1m' })(3);
    spot.cachedRun((n: number) => 'c'.repeat(n), { name: 'long', ttl: '1d', blob: true })(300);
    const blobs = Object.fromEntries(spot.entries().filter(e => e.blob).map(e => [e.fn, blobPath(spot, e.blob!)]));
    vi.setSystemTime(T0 + 120_000);
    expect(spot.gc()).toEqual({ expired: 2, evicted: 0, blobsDeleted: 1 });
    expect(storedNames(spot)).toEqual(['long']);
    expect(existsSync(blobs.short!)).toBe(false);
    expect(existsSync(blobs.long!)).toBe(true);
  });

  it('deletes orphan blobs older than the grace period, keeping young orphans and blobs in use', () => {
    const spot = tempSpot();
    spot.cachedRun((n: number) => 'd'.repeat(n), { name: 'kept', blob: true })(300);
    const used = blobPath(spot, spot.entries()[0]!.blob!);
    const orphan = (ref: string, ageMs: number): string => {
      const file = blobPath(spot, ref);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, 'orphan');
      const mtime = new Date(Date.now() - ageMs);
      utimesSync(file, mtime, mtime);
      return file;
    };
    const old = orphan('ab'.repeat(32), 2 * 3_600_000);
    const young = orphan('cd'.repeat(32), 60_000);
    const hour = 3_600_000;
    utimesSync(used, new Date(Date.now() - 2 * hour), new Date(Date.now() - 2 * hour));

    expect(spot.gc()).toEqual({ expired: 0, evicted: 0, blobsDeleted: 1 });
    expect(existsSync(old)).toBe(false);
    expect(existsSync(young)).toBe(true);
    expect(existsSync(used)).toBe(true);

    expect(spot.gc({ orphanGraceMs: 1000 })).toMatchObject({ blobsDeleted: 1 });
    expect(existsSync(young)).toBe(false);
    expect(existsSync(used)).toBe(true);
  });

  it('evicts down to the size limits', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const writer = tempSpot();
    for (const [i, name] of ['g0', 'g1', 'g2', 'g3'].entries()) {
      vi.setSystemTime(T0 + i * 1000);
      touchEntry(writer, name);
    }
    writer.close();
    const limited = tempSpot({ dir: writer.dir, maxEntries: 2 });
    expect(limited.gc()).toEqual({ expired: 0, evicted: 2, blobsDeleted: 0 });
    expect(storedNames(limited)).toEqual(['g2', 'g3']);
  });
});

describe('hit bookkeeping', () => {
  function onDisk(spot: Spot): { hits: number; access: number[] } {
    const reader = new Database(join(spot.dir, `${spot.name}.sqlite`), { readonly: true });
    try {
      return {
        hits: reader.prepare('SELECT coalesce(sum(hits), 0) FROM fn_stats').pluck().get() as number,
        access: reader.prepare('SELECT at FROM access ORDER BY id').pluck().all() as number[],
      };
    } finally {
      reader.close();
    }
  }

  it('hits and accesses are not written one by one: they reach the file on flush', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'f' });
    f(1);
    vi.setSystemTime(T0 + 300_000);
    for (let i = 0; i < 5; i++) expect(f(1)).toBe('1#1');
    expect(runs()).toBe(1);
    expect(onDisk(spot)).toEqual({ hits: 0, access: [] });
    spot.flush();
    expect(onDisk(spot)).toEqual({ hits: 5, access: [T0 + 300_000] });
    expect(spot.entries()[0]).toMatchObject({ createdAt: T0, accessedAt: T0 + 300_000 });
    expect(spot.stats().stored.hits).toBe(5);
  });

  it('a read within a minute of the write records no access: the write counts as the use', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    vi.setSystemTime(T0);
    const spot = tempSpot();
    const f = spot.cachedRun((x: number) => x, { name: 'f' });
    f(1);
    vi.setSystemTime(T0 + 30_000);
    f(1);
    spot.flush();
    expect(onDisk(spot)).toEqual({ hits: 1, access: [] });
    expect(spot.entries()[0]).toMatchObject({ createdAt: T0, accessedAt: T0 });
  });

  it('pending hits are written by a timer within a second', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const spot = tempSpot();
    const f = spot.cachedRun((x: number) => x, { name: 'f' });
    f(1);
    f(1);
    f(1);
    expect(onDisk(spot).hits).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(onDisk(spot).hits).toBe(2);
  });

  it('closing a spot writes its pending hits', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const spot = tempSpot();
    const f = spot.cachedRun((x: number) => x, { name: 'f' });
    f(1);
    f(1);
    spot.close();
    expect(onDisk(spot).hits).toBe(1);
  });
});
