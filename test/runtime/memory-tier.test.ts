import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HitEvent, MarkOptions, Spot } from '../../runtime/index.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';
import { switchableStore, type Switch } from '../remote/switchable.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** A body returning a fresh object per execution, and how many times it ran. */
function counted(): { body: (id: number) => { id: number; run: number; list: number[] }; runs: () => number } {
  let runs = 0;
  return { body: (id: number) => ({ id, run: ++runs, list: [id] }), runs: () => runs };
}

/** Counts the store's reads from now on. */
function storeReads(spot: Spot): () => number {
  const get = vi.spyOn(spot.parts().store, 'get');
  return () => get.mock.calls.length;
}

/** The hits of the spot from now on, and which of them the memory tier served. */
function hits(spot: Spot): HitEvent[] {
  const events: HitEvent[] = [];
  spot.on('hit', event => events.push(event));
  return events;
}


describe('memory tier', () => {
  it('repeated hits never read the store, and count as hits with memory: true', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'remembered', memory: 10 });
    const first = f(1);
    const reads = storeReads(spot);
    const events = hits(spot);
    for (let i = 0; i < 3; i++) expect(f(1)).toEqual(first);
    expect(runs()).toBe(1);
    expect(reads()).toBe(0);
    expect(events.map(e => e.memory)).toEqual([true, true, true]);
    expect(spot.stats()).toMatchObject({ hits: 3, misses: 1 });
  });

  it('a store hit fills the memory tier: an entry found in the store is read once', () => {
    const spot = tempSpot();
    const { body } = counted();
    spot.mark(body, { name: 'filled' })(1);
    const f = spot.mark(body, { name: 'filled', memory: 10 });
    const reads = storeReads(spot);
    const events = hits(spot);
    f(1);
    f(1);
    expect(reads()).toBe(1);
    expect(events.map(e => e.memory)).toEqual([undefined, true]);
  });

  it('each hit is a fresh value: changing one does not change the next', () => {
    const spot = tempSpot();
    const { body } = counted();
    const f = spot.mark(body, { name: 'fresh', memory: 10 });
    const computed = f(1);
    computed.list.push(99);
    const hit = f(1);
    expect(hit).toEqual({ id: 1, run: 1, list: [1] });
    hit.list.push(100);
    hit.run = -1;
    expect(f(1)).toEqual({ id: 1, run: 1, list: [1] });
    expect(f(1)).not.toBe(f(1));
  });

  it('values that are not plain data (Date, Map, a class) come back fresh and of their own kind', () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark((id: number) => ({ id, when: new Date(1000), seen: new Map([[id, ['a']]]), run: ++runs }), { name: 'rich', memory: 10 });
    f(1).seen.get(1)!.push('changed');
    const hit = f(1);
    expect(hit.when).toBeInstanceOf(Date);
    hit.when.setTime(0);
    hit.seen.set(2, []);
    const next = f(1);
    expect(next).toEqual({ id: 1, when: new Date(1000), seen: new Map([[1, ['a']]]), run: 1 });
    expect(next.seen).not.toBe(hit.seen);
  });

  it('a memory hit is what a store hit returns, prototypes and edge cases included', () => {
    const spot = tempSpot();
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { down: deep };
    const values: unknown[] = [
      { a: 1, list: [1, 'two', null, undefined, -0, NaN, 3n] },
      Object.assign(Object.create(null) as object, { bare: true }),
      JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'),
      [1, , 3],
      deep,
      [new Uint8Array([1, 2]), new Set([1]), /re/g],
    ];
    const body = (i: number): unknown => values[i];
    const remembering = spot.mark(body, { name: 'edges', memory: 10 });
    const reading = spot.mark(body, { name: 'edges' });
    values.forEach((_, i) => remembering(i));
    const events = hits(spot);
    values.forEach((_, i) => {
      const fromMemory = remembering(i);
      const fromStore = reading(i);
      expect(fromMemory, `value ${i}`).toStrictEqual(fromStore);
      expect(Object.getPrototypeOf(fromMemory), `value ${i}`).toBe(Object.getPrototypeOf(fromStore));
    });
    expect(events.map(e => e.memory)).toEqual(values.flatMap(() => [true, undefined]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('primitives are served as they are', () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark((x: number) => `${x}:${++runs}`, { name: 'primitive', memory: 10 });
    const events = hits(spot);
    expect(f(1)).toBe('1:1');
    expect(f(1)).toBe('1:1');
    expect(events.map(e => e.memory)).toEqual([true]);
  });

  it('an entry past its ttl is not served from memory', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'expiring', memory: 10, ttl: '1m' });
    const start = Date.now();
    f(1);
    const now = vi.spyOn(Date, 'now').mockReturnValue(start + 59_000);
    expect(f(1).run).toBe(1);
    now.mockReturnValue(start + 61_000);
    expect(f(1).run).toBe(2);
    expect(runs()).toBe(2);
  });

  it('spot.clear drops the memory entries it deletes: all, one function, a tag', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'cleared', memory: 10, tags: ['t'] });
    const g = spot.mark(body, { name: 'kept', memory: 10 });
    f(1);
    g(1);
    spot.clear();
    expect(f(1).run).toBe(3);
    expect(g(1).run).toBe(4);
    spot.clear('cleared');
    expect(f(1).run).toBe(5);
    expect(g(1).run).toBe(4);
    spot.clear({ tag: 't' });
    expect(f(1).run).toBe(6);
    expect(runs()).toBe(6);
  });

  it('two wrappers of one function id with different versions never share a memory entry', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const v1 = spot.mark(body, { name: 'versioned', version: '1', memory: 10 });
    const v2 = spot.mark(body, { name: 'versioned', version: '2', memory: 10 });
    expect(v1(1).run).toBe(1);
    expect(v2(1).run).toBe(2);
    expect(v1(1).run).toBe(1);
    expect(v2(1).run).toBe(2);
    spot.clear('versioned');
    expect(v1(1).run).toBe(3);
    expect(v2(1).run).toBe(4);
    expect(runs()).toBe(4);
  });

  it('gc and close drop the memory tier: the next call reads the store again', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'collected', memory: 10 });
    f(1);
    spot.gc();
    let reads = storeReads(spot);
    expect(f(1).run).toBe(1);
    expect(reads()).toBe(1);
    spot.close();
    reads = storeReads(spot);
    expect(f(1).run).toBe(1);
    expect(reads()).toBe(1);
    expect(runs()).toBe(1);
  });

  it('an entry evicted by the spot\'s size limit is not served from memory', () => {
    const spot = tempSpot({ maxEntries: 2 });
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'evicted', memory: 10 });
    f(1);
    f(2);
    f(3);
    // Above 2 entries, the store evicted down to 1 (90%): the oldest ones are gone, and so are their memory entries.
    expect(spot.entries()).toHaveLength(1);
    expect(f(1).run).toBe(4);
    expect(runs()).toBe(4);
  });

  it('a refresh (access ew) by another wrapper replaces what memory serves', () => {
    const spot = tempSpot();
    const { body } = counted();
    const f = spot.mark(body, { name: 'refreshed', memory: 10 });
    const refresh = spot.mark(body, { name: 'refreshed', access: 'ew' });
    expect(f(1).run).toBe(1);
    expect(refresh(1).run).toBe(2);
    expect(f(1).run).toBe(2);
  });

  it('keeps at most N entries per function; the least recently used goes first, approximately', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    const f = spot.mark(body, { name: 'bounded', memory: 4 });
    for (const id of [1, 2, 3, 4]) f(id);
    const reads = storeReads(spot);
    const events = hits(spot);
    f(1); // the oldest entry, used: it moves to the young end
    f(5); // a miss (one read), kept: 2, now the least recently used, goes
    f(1);
    f(4);
    expect(reads()).toBe(1);
    f(2); // read from the store again, kept: 3 goes
    expect(reads()).toBe(2);
    f(3);
    expect(reads()).toBe(3);
    // The four kept now are 1, 5, 2, 3 (4 went when 3 came back): those are served from memory, 4 is not.
    for (const id of [1, 5, 2, 3]) f(id);
    expect(reads()).toBe(3);
    f(4);
    expect(reads()).toBe(4);
    expect(events.map(e => e.memory)).toEqual([true, true, true, undefined, undefined, true, true, true, true, undefined]);
    expect(runs()).toBe(5);
  });

  it('an entry used within the last N/2 uses of its function is never the one evicted', () => {
    const spot = tempSpot();
    const { body } = counted();
    const size = 8;
    const f = spot.mark(body, { name: 'recent', memory: size });
    const recent = [0, 1];
    for (const id of recent) f(id);
    const reads = storeReads(spot);
    // Every other call is one of the two ids again, each reused within N/2 calls: only the new ids read the store.
    let next = 100;
    for (let step = 0; step < 200; step++) f(step % 2 === 0 ? recent[(step / 2) % 2]! : next++);
    expect(reads()).toBe(100);
  });

  it('access e bypasses memory; r reads it', () => {
    const spot = tempSpot();
    const { body, runs } = counted();
    spot.mark(body, { name: 'modes', memory: 10 })(1);
    const bypass = spot.mark(body, { name: 'modes', memory: 10, access: 'e' });
    expect(bypass(1).run).toBe(2);
    expect(bypass(1).run).toBe(3);
    const readOnly = spot.mark(body, { name: 'modes', memory: 10, access: 'r' });
    const reads = storeReads(spot);
    expect(readOnly(1).run).toBe(1);
    expect(reads()).toBe(0);
    expect(runs()).toBe(3);
  });

  it('async functions: hits are promises of fresh values, without reading the store', async () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark(async (id: number) => ({ id, run: ++runs }), { name: 'asyncRemembered', memory: 10 });
    const first = await f(1);
    first.run = -1;
    const reads = storeReads(spot);
    const hit = f(1);
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toEqual({ id: 1, run: 1 });
    expect(reads()).toBe(0);
  });

  it('the spot\'s memory option is the default of its functions, and a function\'s own wins', () => {
    const spot = tempSpot({ memory: 5 });
    const { body } = counted();
    const f = spot.mark(body, { name: 'byDefault' });
    const off = spot.mark(body, { name: 'turnedOff', memory: 0 });
    f(1);
    off(1);
    const reads = storeReads(spot);
    f(1);
    off(1);
    expect(reads()).toBe(1);
  });

  it('a memory that is not a whole number ≥ 0 is an error', () => {
    const spot = tempSpot();
    for (const memory of [-1, 1.5, '3', Infinity]) {
      expect(() => spot.mark((x: number) => x, { name: 'bad', memory } as MarkOptions))
        .toThrow(`[beautyspot] mark option "memory" must be a whole number ≥ 0, got ${JSON.stringify(memory)}`);
    }
    expect(() => tempSpot({ memory: -1 })).toThrow('spot option "memory" must be a whole number ≥ 0, got -1');
  });
});

describe('memory tier on a network store', () => {
  it('an async function\'s repeated hits never reach the store, after one read of the entry it finds there', async () => {
    const dir = tempDir();
    const real = new SqliteStore(join(dir, 'remote.sqlite'));
    const power: Switch = { up: true, calls: 0 };
    const spot = tempSpot({ store: switchableStore(real, power, { async: true }), singleFlight: false });
    let runs = 0;
    const body = async (id: number) => ({ id, run: ++runs });
    await spot.mark(body, { name: 'remote' })(1);
    const f = spot.mark(body, { name: 'remote', memory: 10 });
    const before = power.calls;
    expect(await f(1)).toEqual({ id: 1, run: 1 });
    const afterRead = power.calls;
    expect(afterRead).toBeGreaterThan(before);
    for (let i = 0; i < 3; i++) expect(await f(1)).toEqual({ id: 1, run: 1 });
    expect(power.calls).toBe(afterRead);
    expect(runs).toBe(1);
  });
});
