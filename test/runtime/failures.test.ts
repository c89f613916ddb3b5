import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it, expect, onTestFinished, vi } from 'vitest';
import { CorruptEntryError, defineSpot, markCompiled, SqliteStore, UnencodableValueError } from '../../runtime/index.js';
import { entryChecksum } from '../../runtime/store/checksum.js';
import type { Spot, SpotErrorEvent, SpotOptions, Store } from '../../runtime/index.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A spot that records its onError events, with console.warn silenced and spied on. */
function observedSpot(options: SpotOptions = {}): { spot: Spot; events: SpotErrorEvent[]; warn: ReturnType<typeof vi.spyOn> } {
  const events: SpotErrorEvent[] = [];
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  const spot = tempSpot({ ...options, onError: event => events.push(event) });
  return { spot, events, warn };
}

/** A real SqliteStore in a temp dir, behind an object that delegates every method except the faulty ones. */
function faultyStore(faults: Partial<Store>): Store {
  const real = new SqliteStore(join(tempDir(), 'faulty.sqlite'));
  return {
    get: key => real.get(key),
    put: entry => real.put(entry),
    touch: (id, at) => real.touch(id, at),
    counter: fn => real.counter(fn),
    delete: key => real.delete(key),
    evict: limits => real.evict(limits),
    deleteExpired: now => real.deleteExpired(now),
    blobInUse: ref => real.blobInUse(ref),
    totals: fn => real.totals(fn),
    list: options => real.list(options),
    clear: fn => real.clear(fn),
    flush: () => real.flush(),
    close: () => real.close(),
    ...faults,
  };
}

/** A body returning a fresh token per execution, so a stored value is told apart from a new one. */
function tokens(): { body: (x: number) => string; runs: () => number } {
  let runs = 0;
  return { body: (x: number) => `${x}#${++runs}`, runs: () => runs };
}

function blobFile(spot: Spot, ref: string): string {
  return join(spot.dir, `${spot.name}.blobs`, ref.slice(0, 2), ref);
}

describe('unreadable entries are misses', () => {
  it('a corrupted inline row runs the body again, overwrites the entry and reports a decode failure', () => {
    const { spot, events, warn } = observedSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'corruptInline' });
    expect(f(1)).toBe('1#1');
    const db = (spot.parts().store as SqliteStore).db;
    // Undecodable bytes under a matching checksum: the damage is found by the codec.
    const { key, flags, expires_at: expiresAt } = db.prepare('SELECT key, flags, expires_at FROM entries').get() as { key: string; flags: number; expires_at: number | null };
    const garbage = Buffer.from([0xc1, 0xc1, 0xc1]);
    db.prepare('UPDATE entries SET value = ?, checksum = ?').run(garbage, entryChecksum(key, flags, expiresAt, garbage));

    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['decode', 'corruptInline']]);
    expect(events[0]!.error).toBeInstanceOf(Error);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^\[beautyspot\] corruptInline: decode failed \(.*\); treated as a miss and recomputed\.$/);
    const stored = db.prepare('SELECT value FROM entries').pluck().all() as Buffer[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.equals(Buffer.from([0xc1, 0xc1, 0xc1]))).toBe(false);

    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    expect(spot.stats()).toMatchObject({ hits: 1, misses: 2, errors: 1 });
  });

  it('an inline row with neither value nor blob is a miss', () => {
    const { spot, events } = observedSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'emptyRow' });
    f(1);
    (spot.parts().store as SqliteStore).db.prepare('UPDATE entries SET value = NULL').run();
    expect(f(1)).toBe('1#2');
    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    expect(events.map(e => e.kind)).toEqual(['read']);
    expect(events[0]!.error).toBeInstanceOf(CorruptEntryError);
    expect(String(events[0]!.error)).toContain('does not match its checksum');
  });

  it('one flipped byte in an inline value is a miss, a warning and an overwrite, never the damaged value', () => {
    const { spot, events, warn } = observedSpot();
    let runs = 0;
    const f = spot.cachedRun((s: string) => (runs++, `${s}-1`), { name: 'flipped' });
    expect(f('hello')).toBe('hello-1');
    const db = (spot.parts().store as SqliteStore).db;
    const value = db.prepare('SELECT value FROM entries').pluck().get() as Buffer;
    const at = value.indexOf('hello');
    value[at] = value[at]! ^ 0x20; // 'h' → 'H': still valid msgpack, a different string
    db.prepare('UPDATE entries SET value = ?').run(value);

    expect(f('hello')).toBe('hello-1');
    expect(runs).toBe(2);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['read', 'flipped']]);
    expect(warn.mock.calls[0]![0]).toMatch(/^\[beautyspot\] flipped: read failed \(a stored entry does not match its checksum .*\); treated as a miss and recomputed\.$/);
    expect(f('hello')).toBe('hello-1');
    expect(runs).toBe(2);
  });

  it('a function declared sync returns a value, never a promise, even from a row flagged "produced by a promise"', () => {
    const dir = tempDir();
    const spot = defineSpot('sync-flags', { dir });
    onTestFinished(() => spot.close());
    let runs = 0;
    const f = markCompiled('sync-flags', (x: number) => (runs++, x + 1), {}, { id: 'src/a.ts#inc', codeHash: 'c0de', params: ['x'], async: false });
    expect(f(1)).toBe(2);
    const db = (spot.parts().store as SqliteStore).db;
    const { key, flags, expires_at: expiresAt, value } = db.prepare('SELECT key, flags, expires_at, value FROM entries').get() as
      { key: string; flags: number; expires_at: number | null; value: Buffer };
    db.prepare('UPDATE entries SET flags = ?, checksum = ?').run(flags | 1, entryChecksum(key, flags | 1, expiresAt, value));
    expect(f(1)).toBe(2);
    expect(runs).toBe(1);
  });

  it('a damaged flag or expiry is caught by the checksum too', () => {
    const { spot, events } = observedSpot();
    let runs = 0;
    const f = spot.cachedRun((x: number) => (runs++, x * 2), { name: 'flags', ttl: '1h' });
    expect(f(2)).toBe(4);
    const db = (spot.parts().store as SqliteStore).db;
    db.prepare('UPDATE entries SET flags = flags | 1').run();
    expect(f(2)).toBe(4); // not a Promise: the async flag was not the function's
    db.prepare('UPDATE entries SET expires_at = expires_at + 86400000').run();
    expect(f(2)).toBe(4);
    expect(runs).toBe(3);
    expect(events.map(e => e.kind)).toEqual(['read', 'read']);
  });

  it('a truncated blob runs the body again, repairs the blob and the next call hits', () => {
    const { spot, events, warn } = observedSpot();
    let runs = 0;
    const f = spot.mark((n: number) => (runs++, 'x'.repeat(n)), { name: 'truncatedBlob', blob: true });
    expect(f(1000)).toHaveLength(1000);
    const [entry] = spot.entries();
    expect(entry!.blob).toMatch(/^[0-9a-f]{64}$/);
    const file = blobFile(spot, entry!.blob!);
    writeFileSync(file, readFileSync(file).subarray(0, 10));

    expect(f(1000)).toBe('x'.repeat(1000));
    expect(runs).toBe(2);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['decode', 'truncatedBlob']]);
    expect(events[0]!.error).toBeInstanceOf(CorruptEntryError);
    expect(String(events[0]!.error)).toContain('does not match its hash');
    expect(warn.mock.calls[0]![0]).toContain('[beautyspot] truncatedBlob: decode failed (blob ');

    expect(f(1000)).toBe('x'.repeat(1000));
    expect(runs).toBe(2);
    expect(events).toHaveLength(1);
  });

  it('a modified blob of the same size is a miss, and the next call hits', () => {
    const { spot, events } = observedSpot();
    let runs = 0;
    const f = spot.mark((n: number) => (runs++, 'y'.repeat(n)), { name: 'modifiedBlob', blob: true });
    f(500);
    const file = blobFile(spot, spot.entries()[0]!.blob!);
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] = 'z'.charCodeAt(0);
    writeFileSync(file, bytes);

    expect(f(500)).toBe('y'.repeat(500));
    expect(f(500)).toBe('y'.repeat(500));
    expect(runs).toBe(2);
    expect(events.map(e => e.kind)).toEqual(['decode']);
  });

  it('a deleted blob runs the body again, writes the blob back and the next call hits', () => {
    const { spot, events, warn } = observedSpot();
    let runs = 0;
    const f = spot.mark((n: number) => (runs++, 'w'.repeat(n)), { name: 'deletedBlob', blob: true });
    f(800);
    const file = blobFile(spot, spot.entries()[0]!.blob!);
    rmSync(file);

    expect(f(800)).toBe('w'.repeat(800));
    expect(runs).toBe(2);
    expect(existsSync(file)).toBe(true);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['decode', 'deletedBlob']]);
    expect(String(events[0]!.error)).toContain('cannot be read');
    expect(warn.mock.calls[0]![0]).toContain('[beautyspot] deletedBlob: decode failed');

    expect(f(800)).toBe('w'.repeat(800));
    expect(runs).toBe(2);
  });
});

describe('failures after the body ran', () => {
  it('a result that cannot be encoded is returned, reported as encode and not stored', () => {
    const { spot, events, warn } = observedSpot();
    let runs = 0;
    const f = spot.mark((x: number) => ({ x, runs: ++runs, callback: () => x }), { name: 'withCallback' });
    const result = f(1);
    expect(result.x).toBe(1);
    expect(result.callback()).toBe(1);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['encode', 'withCallback']]);
    expect(events[0]!.error).toBeInstanceOf(UnencodableValueError);
    expect(String(events[0]!.error)).toContain('result.callback cannot be stored: it is a function');
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain('[beautyspot] withCallback: encode failed (result.callback cannot be stored');
    expect(warn.mock.calls[0]![0]).toContain('the result was returned but not cached.');
    expect(spot.entries()).toHaveLength(0);
    expect(f(1).runs).toBe(2);
  });

  it('an async result that cannot be encoded still resolves for the caller', async () => {
    const { spot, events } = observedSpot();
    const f = spot.mark(async (x: number) => ({ x, tag: Symbol('t') }), { name: 'withSymbol' });
    const result = await f(2);
    expect(result.x).toBe(2);
    expect(typeof result.tag).toBe('symbol');
    expect(events.map(e => e.kind)).toEqual(['encode']);
    expect(spot.entries()).toHaveLength(0);
  });

  it('a store whose put throws: the caller still gets the result and a write failure is reported', async () => {
    const store = faultyStore({
      put: () => {
        throw new Error('disk full');
      },
    });
    const { spot, events, warn } = observedSpot({ store });
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'unwritable' });
    expect(f(1)).toBe('1#1');
    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['write', 'unwritable'], ['write', 'unwritable']]);
    expect((events[0]!.error as Error).message).toBe('disk full');
    expect(warn.mock.calls[0]![0]).toBe('[beautyspot] unwritable: write failed (disk full); the result was returned but not cached.');
    const g = spot.mark(async (x: number) => x * 2, { name: 'unwritableAsync' });
    expect(await g(4)).toBe(8);
    expect(events.at(-1)).toMatchObject({ kind: 'write', fn: 'unwritableAsync' });
    expect(spot.stats()).toMatchObject({ writes: 0, errors: 3 });
  });

  it('a store whose get throws: a read failure is reported, the body runs and its result is stored', () => {
    let failing = true;
    const store = faultyStore({});
    const realGet = store.get;
    store.get = key => {
      if (failing) throw new Error('database is locked');
      return realGet(key);
    };
    const { spot, events, warn } = observedSpot({ store });
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'unreadable' });
    expect(f(1)).toBe('1#1');
    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
    expect(events.map(e => [e.kind, e.fn])).toEqual([['read', 'unreadable'], ['read', 'unreadable']]);
    expect(warn.mock.calls[0]![0]).toBe('[beautyspot] unreadable: read failed (database is locked); treated as a miss and recomputed.');
    failing = false;
    expect(f(1)).toBe('1#2');
    expect(runs()).toBe(2);
  });

  it('an eviction failure is reported as evict and the caller still gets the result', () => {
    const store = faultyStore({
      evict: () => {
        throw new Error('evict broke');
      },
    });
    const { spot, events } = observedSpot({ store, maxEntries: 1 });
    const { body } = tokens();
    const f = spot.cachedRun(body, { name: 'overfull' });
    expect(f(1)).toBe('1#1');
    expect(f(2)).toBe('2#2');
    expect(events.map(e => [e.kind, e.fn])).toContainEqual(['evict', 'overfull']);
    expect(f(2)).toBe('2#2');
  });
});
