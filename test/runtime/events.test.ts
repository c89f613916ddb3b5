// Events (onHit / onMiss / onStore / onError, spot.on, the tools' observer) on real SQLite spots.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CacheMissError, defineSpot, mark, SqliteStore, type HitEvent, type MissEvent, type SpotErrorEvent, type SpotEvents,
  type StoreEvent } from '../../runtime/index.js';
import { entryChecksum } from '../../runtime/store/checksum.js';
import { observeEvents } from '../../runtime/spot/event-hub.js';
import type { DoneEvent, WaitEvent } from '../../runtime/spot/events.js';
import { defineTempSpot, loadCompiled } from '../helpers/compile-fixture.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
});

type Kind = keyof SpotEvents;

/** Listeners for every event that log `[kind, event]` in order, plus a `log` the bodies can write to as well. */
function recorder(): {
  log: unknown[][];
  events: <K extends Kind>(kind: K) => SpotEvents[K][];
  options: { onHit: (e: HitEvent) => void; onMiss: (e: MissEvent) => void; onStore: (e: StoreEvent) => void; onError: (e: SpotErrorEvent) => void };
  listener: <K extends Kind>(kind: K) => (event: SpotEvents[K]) => void;
} {
  const log: unknown[][] = [];
  const listener = <K extends Kind>(kind: K) => (event: SpotEvents[K]): void => {
    log.push([kind, event]);
  };
  return {
    log,
    events: <K extends Kind>(kind: K) => log.filter(([k]) => k === kind).map(([, e]) => e as SpotEvents[K]),
    options: { onHit: listener('hit'), onMiss: listener('miss'), onStore: listener('store'), onError: listener('error') },
    listener,
  };
}

const kinds = (log: unknown[][]): unknown[] => log.map(([kind]) => kind);
const KEY = /^[A-Za-z0-9_-]{43}$/;

describe('the spot options onHit, onMiss, onStore', () => {
  it('a miss fires before the body runs, a store once the entry is written, a hit with its saved time; all name the same call', () => {
    const { log, events, options } = recorder();
    const spot = tempSpot(options);
    const f = spot.mark((x: number, label: string) => {
      log.push(['body']);
      return `${label}${x}`;
    }, { name: 'label' });
    let storedSeen: number | undefined;
    spot.on('store', event => {
      storedSeen = spot.entries().filter(e => e.key === event.key).length;
    });

    expect(f(1, 'a')).toBe('a1');
    expect(f(1, 'a')).toBe('a1');
    expect(kinds(log)).toEqual(['miss', 'body', 'store', 'hit']);
    expect(storedSeen).toBe(1);

    const [entry] = spot.entries();
    const [miss] = events('miss');
    const [store] = events('store');
    const [hit] = events('hit');
    const call = { spot: 'test', fn: 'label', key: entry!.key, args: entry!.args };
    expect(entry!.key).toMatch(KEY);
    expect(entry!.args.map(([name]) => name)).toEqual(['#0', '#1']);
    expect(miss).toEqual({ ...call, ms: expect.any(Number) });
    expect(store).toEqual({ ...call, ms: expect.any(Number), computeMs: entry!.computeMs, size: entry!.size, blob: false });
    expect(hit).toEqual({ ...call, ms: expect.any(Number), savedMs: entry!.computeMs });
    for (const event of [miss!, store!, hit!]) expect(event.ms).toBeGreaterThanOrEqual(0);
  });

  it('an async function fires the same events; a value stored as a blob says so', async () => {
    const { log, events, options } = recorder();
    const spot = tempSpot(options);
    const f = spot.mark(async (n: number) => 'x'.repeat(n), { name: 'big', blob: true });
    expect(await f(3)).toBe('xxx');
    expect(await f(3)).toBe('xxx');
    expect(kinds(log)).toEqual(['miss', 'store', 'hit']);
    const [entry] = spot.entries();
    expect(entry!.blob).not.toBeNull();
    expect(events('store')[0]).toMatchObject({ key: entry!.key, blob: true, size: entry!.size });
    expect(events('hit')[0]).toMatchObject({ key: entry!.key, savedMs: entry!.computeMs });
  });

  it('a sync function returning a promise stores and tells once the promise resolves', async () => {
    const { log, options } = recorder();
    const spot = tempSpot(options);
    const f = spot.mark((n: number) => Promise.resolve(n * 2), { name: 'later' });
    const pending = f(4);
    expect(kinds(log)).toEqual(['miss']);
    expect(await pending).toBe(8);
    expect(kinds(log)).toEqual(['miss', 'store']);
  });

  it('concurrent calls with one key share one execution: one miss, one store, no hit', async () => {
    const { log, options } = recorder();
    const spot = tempSpot(options);
    const f = spot.mark(async (n: number) => n + 1, { name: 'shared' });
    expect(await Promise.all([f(1), f(1), f(1)])).toEqual([2, 2, 2]);
    expect(kinds(log)).toEqual(['miss', 'store']);
  });
});

describe('access modes', () => {
  it('without w a miss runs the body and fires no store; without r there is no lookup, so no hit', () => {
    const { log, options } = recorder();
    const spot = tempSpot(options);
    const readRun = spot.mark((x: number) => x, { name: 're', access: 're' });
    readRun(1);
    readRun(1);
    expect(kinds(log)).toEqual(['miss', 'miss']);

    log.length = 0;
    const bypass = spot.mark((x: number) => x, { name: 'e', access: 'e' });
    bypass(1);
    expect(kinds(log)).toEqual(['miss']);

    log.length = 0;
    const refresh = spot.mark((x: number) => x, { name: 'ew', access: 'ew' });
    refresh(1);
    refresh(1);
    expect(kinds(log)).toEqual(['miss', 'store', 'miss', 'store']);
  });

  it('a miss in mode r runs nothing and fires nothing: the call throws CacheMissError', () => {
    const { log, options } = recorder();
    const spot = tempSpot(options);
    const cacheOnly = spot.mark((x: number) => x, { name: 'r', access: 'r' });
    expect(() => cacheOnly(1)).toThrow(CacheMissError);
    expect(log).toEqual([]);
  });
});

describe('per function: mark options and spot.on with { fn }', () => {
  it("a function's own listeners see only its calls, before the spot's listeners", () => {
    const dir = tempDir();
    const spot = defineSpot('events-own', { dir });
    try {
      const order: string[] = [];
      spot.on('hit', event => order.push(`spot:${event.fn}`));
      const a = mark((x: number) => x, { spot: 'events-own', name: 'a', onHit: event => order.push(`own:${event.fn}`) });
      const b = mark((x: number) => x, { spot: 'events-own', name: 'b' });
      a(1);
      b(1);
      a(1);
      b(1);
      expect(order).toEqual(['own:a', 'spot:a', 'spot:b']);
    } finally {
      spot.close();
    }
  });

  it('spot.on narrowed to a function id hears only that function; the returned function stops it', () => {
    const spot = tempSpot();
    const heard: string[] = [];
    const stop = spot.on('miss', event => heard.push(event.fn), { fn: 'a' });
    const a = spot.mark((x: number) => x, { name: 'a' });
    const b = spot.mark((x: number) => x, { name: 'b' });
    a(1);
    b(1);
    expect(heard).toEqual(['a']);
    stop();
    stop();
    a(2);
    expect(heard).toEqual(['a']);
  });

  it('a listener added after the first call hears the next calls', () => {
    const spot = tempSpot();
    const f = spot.mark((x: number) => x, { name: 'late' });
    f(1);
    const heard: string[] = [];
    spot.on('hit', event => heard.push(`hit ${event.fn}`));
    spot.on('miss', event => heard.push(`miss ${event.fn}`));
    f(1);
    f(2);
    expect(heard).toEqual(['hit late', 'miss late']);
  });
});

describe('errors', () => {
  it('a corrupt entry is an error event with the spot, function and key, to the spot and to the function, then a miss and a store', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const spotLog = recorder();
    const ownLog = recorder();
    const spot = tempSpot({ onError: spotLog.options.onError, onMiss: spotLog.options.onMiss, onStore: spotLog.options.onStore });
    const other = recorder();
    spot.on('error', other.listener('error'), { fn: 'someoneElse' });
    const f = spot.mark((x: number) => `v${x}`, { name: 'damaged', onError: ownLog.options.onError });
    f(1);
    const db = (spot.parts().store as SqliteStore).db;
    const { key, flags, expires_at: expiresAt } = db.prepare('SELECT key, flags, expires_at FROM entries').get() as { key: string; flags: number; expires_at: number | null };
    const garbage = Buffer.from([0xc1]);
    db.prepare('UPDATE entries SET value = ?, checksum = ?').run(garbage, entryChecksum(key, flags, expiresAt, garbage));

    spotLog.log.length = 0;
    expect(f(1)).toBe('v1');
    expect(kinds(spotLog.log)).toEqual(['error', 'miss', 'store']);
    const error = { spot: 'test', kind: 'decode', fn: 'damaged', key, error: expect.any(Error) };
    expect(spotLog.events('error')).toEqual([error]);
    expect(ownLog.events('error')).toEqual([error]);
    expect(other.log).toEqual([]);
  });

  it('a store that fails to write: an error event with the key, no store event, and the result is returned', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = new SqliteStore(join(tempDir(), 'failing.sqlite'));
    store.put = () => {
      throw new Error('disk full');
    };
    const { log, events, options } = recorder();
    const spot = tempSpot({ ...options, store });
    const f = spot.mark((x: number) => x * 3, { name: 'unwritable' });
    expect(f(2)).toBe(6);
    expect(kinds(log)).toEqual(['miss', 'error']);
    expect(events('error')[0]).toMatchObject({ spot: 'test', kind: 'write', fn: 'unwritable', key: events('miss')[0]!.key });
    expect((events('error')[0]!.error as Error).message).toBe('disk full');
    store.close();
  });
});

describe('listeners that fail', () => {
  it('a listener that throws never breaks the call: it is reported once, and the other listeners still hear', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const heard: number[] = [];
    const spot = tempSpot({ onHit: () => {
      throw new Error('listener bug');
    } });
    spot.on('hit', event => heard.push(event.savedMs));
    const f = spot.mark((x: number) => x + 1, { name: 'robust' });
    expect(f(1)).toBe(2);
    expect(f(1)).toBe(2);
    expect(f(1)).toBe(2);
    expect(heard).toHaveLength(2);
    expect(warn.mock.calls).toEqual([['[beautyspot] a "hit" listener failed (listener bug); the call went on. ' +
      "This listener's later failures are not reported: catch errors inside it."]]);
  });

  it('a listener whose promise rejects is reported the same way, not as an unhandled rejection', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const spot = tempSpot({ onMiss: async () => {
      throw new Error('async listener bug');
    } });
    const f = spot.mark(async (x: number) => x, { name: 'robustAsync' });
    expect(await f(1)).toBe(1);
    await new Promise(resolve => setImmediate(resolve));
    expect(warn.mock.calls.map(([line]) => line)).toEqual([expect.stringContaining('a "miss" listener failed (async listener bug)')]);
  });
});

describe('bad listener arguments', () => {
  it('spot.on: an unknown event, a listener that is not a function and a misspelled option are errors naming the fix', () => {
    const spot = tempSpot();
    expect(() => spot.on('hti' as 'hit', () => undefined)).toThrow(new TypeError('[beautyspot] spot.on: "hti" is not an event; the events are hit, miss, store, error'));
    expect(() => spot.on('hit', 'log' as unknown as () => void)).toThrow(new TypeError('[beautyspot] spot.on("hit"): the listener must be a function, got "log"'));
    expect(() => spot.on('hit', () => undefined, { fnn: 'a' } as unknown as { fn: string })).toThrow(new TypeError('[beautyspot] Unknown spot.on option "fnn" (did you mean "fn"?)'));
    expect(() => spot.on('hit', () => undefined, { fn: 3 as unknown as string })).toThrow(TypeError);
    expect(() => spot.on('hit', () => undefined, { fn: 3 as unknown as string })).toThrow('spot.on option "fn" must be a function id (e.g. "src/crawl.ts#fetchPage"), got 3');
  });

  it('mark and spot options: a listener that is not a function is a TypeError, a misspelled one suggests the name', () => {
    const spot = tempSpot();
    expect(() => spot.mark((x: number) => x, { onHit: 'log' as unknown as () => void })).toThrow(new TypeError('[beautyspot] mark option "onHit" must be a function, got "log"'));
    expect(() => spot.cachedRun((x: number) => x, { onhit: () => undefined } as object)).toThrow('[beautyspot] Unknown cachedRun option "onhit" (did you mean "onHit"?)');
    expect(() => tempSpot({ onStore: 5 as unknown as () => void })).toThrow(new TypeError('[beautyspot] spot option "onStore" must be a function, got 5'));
    expect(() => tempSpot({ onmiss: () => undefined } as object)).toThrow('[beautyspot] Unknown spot option "onmiss" (did you mean "onMiss"?)');
  });
});

describe('annotated (compiled) functions', () => {
  const fixtures = fileURLToPath(new URL('../plugin/fixtures/', import.meta.url));
  const source = `
/** @mark spot=events-compiled */
export function area(width: number, height: number): number {
  return width * height;
}
/** @mark spot=events-compiled */
export async function greet(name: string): Promise<string> {
  return 'hello ' + name;
}
`;
  const temp = defineTempSpot('events-compiled');
  let m: { area(w: number, h: number): number; greet(name: string): Promise<string> };

  beforeAll(async () => {
    m = (await loadCompiled(join(fixtures, 'inline', 'events.ts'), fixtures, source)).module as typeof m;
  });
  afterAll(() => temp.remove());

  it('are heard through spot.on by their id, with per-parameter digests named after the parameters', async () => {
    const { log, listener } = recorder();
    const stops = (['hit', 'miss', 'store'] as const).map(kind => temp.spot.on(kind, listener(kind) as never, { fn: 'inline/events.ts#area' }));
    expect(m.area(2, 3)).toBe(6);
    expect(m.area(2, 3)).toBe(6);
    expect(await m.greet('ann')).toBe('hello ann');
    expect(kinds(log)).toEqual(['miss', 'store', 'hit']);
    const entry = temp.spot.entries({ fn: 'inline/events.ts#area' })[0]!;
    expect(entry.args.map(([name]) => name)).toEqual(['width', 'height']);
    for (const [, event] of log) expect(event).toMatchObject({ spot: 'events-compiled', fn: 'inline/events.ts#area', key: entry.key, args: entry.args });
    for (const stop of stops) stop();
  });
});

describe('the tools\' observer', () => {
  it('hears every spot, spots made after it started included, with rate-limit waits before they begin and finished bodies, and hits without digests', () => {
    const heard: string[] = [];
    const waits: WaitEvent[] = [];
    const done: DoneEvent[] = [];
    const hits: object[] = [];
    const stops = [
      observeEvents('miss', event => heard.push(`miss ${event.spot}/${event.fn}`)),
      observeEvents('hit', event => {
        hits.push(event);
        heard.push(`hit ${event.spot}/${event.fn}`);
      }),
      observeEvents('wait', event => {
        waits.push(event);
        heard.push(`wait ${event.spot}/${event.fn}`);
      }),
      observeEvents('done', event => done.push(event)),
    ];
    try {
      // 6,000 a minute: 10 ms apart, so the second call waits.
      const spot = tempSpot({ limit: { rpm: 6000 } }, 'observed');
      const f = spot.mark((x: number) => {
        if (x < 0) throw new Error('negative');
        return x;
      }, { name: 'limited' });
      f(1);
      f(2);
      f(1);
      expect(() => f(-1)).toThrow('negative');
      expect(heard.slice(0, 5)).toEqual(['miss observed/limited', 'wait observed/limited', 'miss observed/limited', 'hit observed/limited',
        'wait observed/limited']);
      expect(waits[0]!.ms).toBeGreaterThan(0);
      expect(waits[0]!.ms).toBeLessThanOrEqual(10);
      expect(done.map(e => [e.fn, e.failed])).toEqual([['limited', false], ['limited', false], ['limited', true]]);
      // Tools get hits without argument digests (two SHA-256 a hit, which a progress display never reads).
      expect(hits).toEqual([{ spot: 'observed', fn: 'limited', key: expect.stringMatching(KEY), ms: expect.any(Number), savedMs: expect.any(Number) }]);
      expect(Object.keys(hits[0]!)).not.toContain('args');
    } finally {
      for (const stop of stops) stop();
    }
  });
});
