import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore as RedisStoreType } from '../../runtime/redis/redis-store.js';
import type { EntryRecord } from '../../runtime/store/store.js';
import { killLeftovers, startNode } from '../helpers/node-child.js';
import { freePort, requireRedis, startRedis, startRedisCluster } from '../helpers/redis-servers.js';

const available = requireRedis('redis-sync');
// The bridge's worker imports the built core, so the sync forms are tested on dist/ (built by the global setup).
const DIST = pathToFileURL(join(process.cwd(), 'dist/runtime/redis/index.js')).href;
// The errors as a user imports them: beautyspot's entry, which shares its classes with beautyspot/redis.
const ERRORS = pathToFileURL(join(process.cwd(), 'dist/runtime/index.js')).href;

const entry = (key: string, over: Partial<EntryRecord> = {}): EntryRecord => ({
  key, fn: 'f', size: 3, args: [], tags: [], createdAt: Date.now(), expiresAt: null, computeMs: 25, flags: 0,
  value: new Uint8Array([4, 5, 6]), blob: null, ...over,
});

describe.runIf(available).each([
  ['one server', startRedis],
  ['a cluster of three masters', startRedisCluster],
] as const)('RedisStore sync forms (SyncBridge) on %s', (_name, start) => {
  let server: { url: string; stop(): Promise<void> };
  let RedisStore: typeof RedisStoreType;
  let CorruptEntryError: new () => Error;
  const stores: RedisStoreType[] = [];
  const store = (prefix = `s${randomUUID().slice(0, 8)}:`): RedisStoreType => {
    const s = new RedisStore({ url: server.url, prefix });
    stores.push(s);
    return s;
  };

  beforeAll(async () => {
    server = await start();
    ({ RedisStore } = await import(DIST));
    ({ CorruptEntryError } = await import(ERRORS));
  }, 60_000);
  afterAll(async () => {
    for (const s of stores) s.close();
    await server?.stop();
  });

  it('reads and writes synchronously what the async forms see, and the other way round', async () => {
    const s = store();
    s.put(entry('sync-put'));
    expect(Buffer.from((await s.getAsync('sync-put'))!.value!)).toEqual(Buffer.from([4, 5, 6]));
    await s.putAsync(entry('async-put', { value: null, blob: 'd'.repeat(64) }));
    expect(s.get('async-put')).toMatchObject({ blob: 'd'.repeat(64), value: null, computeMs: 25 });
    expect(s.get('absent')).toBeUndefined();
    expect(s.blobInUse('d'.repeat(64))).toBe(true);
  });

  it('checks the checksum on the calling thread: damage is a CorruptEntryError', async () => {
    const prefix = `s${randomUUID().slice(0, 8)}:`;
    const s = store(prefix);
    s.put(entry('dmg'));
    const connection = (s as unknown as { core: { connection: { send(k: string, a: string[]): Promise<unknown> } } }).core.connection;
    await connection.send(`${prefix}e:{dmg}`, ['SETRANGE', `${prefix}e:{dmg}`, '40', 'Z']);
    expect(() => s.get('dmg')).toThrow(CorruptEntryError);
  });

  it('flushes hit and miss counts into totals and today\'s counts; lists and clears by function', () => {
    const s = store();
    s.put(entry('a', { fn: 'one', size: 7 }));
    s.put(entry('b', { fn: 'two', size: 9 }));
    const counter = s.counter('one');
    counter.hits += 2;
    counter.savedMs += 50;
    counter.misses += 1;
    counter.computeMs += 25;
    s.counter('two').misses += 1; // a function with executions and no hits is flushed too
    s.flush();
    expect(counter).toEqual({ hits: 0, savedMs: 0, misses: 0, computeMs: 0 });
    expect(s.totals('one')).toEqual({ entries: 1, bytes: 7, hits: 2, savedMs: 50, misses: 1, computeMs: 25 });
    expect(s.days().map(d => [d.fn, d.day, d.hits, d.misses])).toEqual([
      ['one', new Date().toISOString().slice(0, 10), 2, 1], ['two', new Date().toISOString().slice(0, 10), 0, 1]]);
    expect(s.list().map(e => e.fn).sort()).toEqual(['one', 'two']);
    expect(s.clear({ fn: 'two' })).toEqual({ entries: 1, blobs: [] });
    expect(s.totals()).toMatchObject({ entries: 1, bytes: 7, hits: 2 });
  });

  it('leases and limits, sync and async, on one state', async () => {
    const s = store();
    expect(s.leases.acquire('k', 'me', 5000)).toBe(true);
    expect(await s.leases.acquireAsync!('k', 'you', 5000)).toBe(false);
    s.leases.release('k', 'me');
    expect(await s.leases.acquireAsync!('k', 'you', 5000)).toBe(true);
    const bucket = { id: 'spot/x/rpm', interval: 1000, burst: 1, cost: 1 };
    expect(s.limits.reserve([bucket])).toBe(0);
    expect(await s.limits.reserveAsync!([bucket])).toBeGreaterThan(900);
  });
});

describe.runIf(available)('RedisStore sync forms: faults and exit', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'beautyspot-redis-sync-'));
  });
  afterAll(() => {
    killLeftovers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unreachable server fails a sync get (no hang), and a sync script exits by itself after flushing at exit', async () => {
    const server = await startRedis();
    try {
      const script = join(dir, 'sync-exit.mjs');
      writeFileSync(script, `
        import { RedisStore } from ${JSON.stringify(DIST)};
        const [url, down] = process.argv.slice(2);
        const store = new RedisStore({ url, connectTimeoutMs: 2000, commandTimeoutMs: 2000 });
        store.put({ key: 'x', fn: 'exit-fn', size: 1, args: [], tags: [], createdAt: Date.now(), expiresAt: null, computeMs: 5, flags: 0, value: new Uint8Array([1]), blob: null });
        console.log('hit', store.get('x').value[0]);
        store.counter('exit-fn').hits += 3;
        process.on('exit', () => store.flush());
        const unreachable = new RedisStore({ url: down, connectTimeoutMs: 300, commandTimeoutMs: 300 });
        try { unreachable.get('x'); } catch (error) { console.log('miss', error.name); }
      `);
      const child = await startNode(script, { args: [server.url, `redis://127.0.0.1:${await freePort()}`], timeoutMs: 30_000 }).result;
      expect(child).toMatchObject({ code: 0, timedOut: false });
      expect(child.stdout.trim().split('\n')).toEqual(['hit 1', 'miss RedisUnavailableError']);
      const { RedisStore } = await import(DIST);
      const check = new RedisStore({ url: server.url });
      try {
        expect(check.totals('exit-fn')).toMatchObject({ entries: 1, hits: 3 });
      } finally {
        check.close();
      }
    } finally {
      await server.stop();
    }
  });
});
