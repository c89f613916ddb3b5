import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorruptEntryError } from '../../runtime/errors.js';
import { decodeRecord } from '../../runtime/redis/record.js';
import { createRedisCore, resolveRedisOptions, type RedisCore } from '../../runtime/redis/redis-core.js';
import type { EntryRecord } from '../../runtime/store/store.js';
import { requireRedis, startRedis, startRedisCluster } from '../helpers/redis-servers.js';

const available = requireRedis('redis-store');

const entry = (key: string, over: Partial<EntryRecord> = {}): EntryRecord => ({
  key, fn: 'fn-a', size: 3, args: [['x', 'abc']], tags: ['t'], createdAt: Date.now(), expiresAt: null, computeMs: 40,
  flags: 0, value: new Uint8Array([1, 2, 3]), blob: null, ...over,
});
const runs = (hits: number, savedMs: number, misses = 0, computeMs = 0) => ({ hits, savedMs, misses, computeMs });
const code = (hash: string, body = `body-${hash}`, version = '') => ({ hash, version, body, deps: [['src/u.ts#helper', 'abcd'] as [string, string]] });
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe.runIf(available).each([
  ['one server', startRedis],
  ['a cluster of three masters', startRedisCluster],
] as const)('RedisStore protocol on %s', (_name, start) => {
  let server: { url: string; stop(): Promise<void> };
  const cores: RedisCore[] = [];
  /** A core on its own prefix, so tests never see each other's keys. */
  const core = (prefix = `t${randomUUID().slice(0, 8)}:`): RedisCore => {
    const c = createRedisCore(resolveRedisOptions({ url: server.url, prefix }));
    cores.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await start();
  }, 60_000);
  afterAll(async () => {
    for (const c of cores) c.close();
    await server?.stop();
  });

  it('stores and reads inline and blob entries, one record each', async () => {
    const c = core();
    await c.put(entry('k-inline', { flags: 1 }));
    await c.put(entry('k-blob', { value: null, blob: 'f'.repeat(64), size: 200_000 }));
    const inline = await c.get('k-inline');
    expect(Buffer.from(inline!.value!)).toEqual(Buffer.from([1, 2, 3]));
    expect(inline!.flags).toBe(1);
    const blob = await c.get('k-blob');
    expect(blob).toMatchObject({ value: null, blob: 'f'.repeat(64), flags: 2, computeMs: 40 });
    expect(await c.get('k-absent')).toBeUndefined();
    expect(await c.blobInUse('f'.repeat(64))).toBe(true);
    expect(await c.blobInUse('e'.repeat(64))).toBe(false);
  });

  it('a damaged record is a CorruptEntryError, never a value', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const c = core(prefix);
    await c.put(entry('k-dmg'));
    const name = `${prefix}e:{k-dmg}`;
    const record = await c.connection.send(name, ['GET', name]) as Buffer;
    await c.connection.send(name, ['SETRANGE', name, String(record.length - 1), 'X']);
    await expect(c.get('k-dmg')).rejects.toBeInstanceOf(CorruptEntryError);
    await c.connection.send(name, ['SET', name, 'not a record']);
    await expect(c.get('k-dmg')).rejects.toBeInstanceOf(CorruptEntryError);
  });

  it('reads issued together each get their own record (one MGET per 256 on one server): present, absent, damaged', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const c = core(prefix);
    const keys = Array.from({ length: 300 }, (_, i) => `k-many-${i}`);
    await Promise.all(keys.map((key, i) => c.put(entry(key, { value: new Uint8Array([i & 0xff, i >> 8]) }))));
    const damaged = `${prefix}e:{${keys[7]}}`;
    await c.connection.send(damaged, ['SETRANGE', damaged, '40', 'X']);
    const mgets = async (): Promise<number> => {
      const stats = String(await c.connection.send('', ['INFO', 'commandstats']));
      return Number(/cmdstat_mget:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    const before = _name === 'one server' ? await mgets() : 0;
    const [values, records] = await Promise.all([
      Promise.allSettled([...keys, 'k-absent'].map(key => c.get(key))),
      Promise.all([keys[3]!, 'k-absent'].map(key => c.getRecord(key))),
    ]);
    values.forEach((result, i) => {
      if (i === 7) expect(result.status === 'rejected' && result.reason).toBeInstanceOf(CorruptEntryError);
      else if (i === keys.length) expect(result).toEqual({ status: 'fulfilled', value: undefined });
      else expect(result.status === 'fulfilled' && [...result.value!.value!], keys[i]).toEqual([i & 0xff, i >> 8]);
    });
    expect(decodeRecord(keys[3]!, records[0]!).value).toEqual(Buffer.from([3, 0]));
    expect(records[1]).toBeNull();
    if (_name === 'one server') expect(await mgets() - before).toBe(2); // 303 reads: 256 + 47
  });

  it('expires entries with their metadata at expiresAt', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const c = core(prefix);
    await c.put(entry('k-ttl', { expiresAt: Date.now() + 300 }));
    await c.put(entry('k-kept'));
    expect(await c.get('k-ttl')).toBeDefined();
    const ttl = Number(await c.connection.send(`${prefix}m:{k-ttl}`, ['PTTL', `${prefix}m:{k-ttl}`]));
    expect(ttl).toBeGreaterThan(0);
    await sleep(600);
    expect(await c.get('k-ttl')).toBeUndefined();
    expect((await c.list()).map(e => e.key)).toEqual(['k-kept']);
  });

  it('lists, totals and clears by function, newest first, and adds run counts', async () => {
    const c = core();
    const t = Date.now();
    await c.put(entry('a1', { fn: 'a', createdAt: t, size: 10 }));
    await c.put(entry('a2', { fn: 'a', createdAt: t + 1, size: 20, value: null, blob: 'b'.repeat(64) }));
    await c.put(entry('b1', { fn: 'b', createdAt: t + 2, size: 5 }));
    await c.addCounts([['a', runs(3, 120, 2, 90.5)], ['b', runs(1, 40)]]);
    await c.addCounts([['a', runs(1, 40, 1, 10)]]);
    expect((await c.list()).map(e => e.key)).toEqual(['b1', 'a2', 'a1']);
    expect((await c.list({ fn: 'a', limit: 1, offset: 1 })).map(e => e.key)).toEqual(['a1']);
    expect((await c.list({ fn: 'a' }))[0]).toMatchObject({ key: 'a2', fn: 'a', size: 20, blob: 'b'.repeat(64), args: [['x', 'abc']], tags: ['t'] });
    expect(await c.totals('a')).toEqual({ entries: 2, bytes: 30, hits: 4, savedMs: 160, misses: 3, computeMs: 100.5 });
    expect(await c.totals()).toEqual({ entries: 3, bytes: 35, hits: 5, savedMs: 200, misses: 3, computeMs: 100.5 });
    await c.delete('b1');
    expect(await c.totals('b')).toMatchObject({ entries: 0, bytes: 0, hits: 1 });
    expect(await c.clear({ fn: 'a' })).toEqual({ entries: 2, blobs: ['b'.repeat(64)] });
    expect(await c.get('a1')).toBeUndefined();
    expect(await c.totals()).toMatchObject({ entries: 0, bytes: 0 });
  });

  it('keeps a blob in use while another entry still uses it', async () => {
    const c = core();
    const ref = 'c'.repeat(64);
    await c.put(entry('u1', { fn: 'a', value: null, blob: ref }));
    await c.put(entry('u2', { fn: 'b', value: null, blob: ref }));
    expect(await c.clear({ fn: 'a' })).toEqual({ entries: 1, blobs: [] });
    expect(await c.blobInUse(ref)).toBe(true);
    await c.put(entry('u2', { fn: 'b' })); // rewritten inline: the blob's last user is gone
    expect(await c.blobInUse(ref)).toBe(false);
  });

  it('leases: acquire (and again as owner), owner checks, renew, release and expiry', async () => {
    const c = core();
    expect(await c.acquireLease('k', 'me', 10_000)).toBe(true);
    expect(await c.acquireLease('k', 'me', 10_000)).toBe(true);
    expect(await c.acquireLease('k', 'other', 10_000)).toBe(false);
    expect(await c.renewLease('k', 'other', 10_000)).toBe(false);
    await c.releaseLease('k', 'other');
    expect(await c.acquireLease('k', 'other', 10_000)).toBe(false);
    expect(await c.renewLease('k', 'me', 150)).toBe(true);
    await sleep(300);
    expect(await c.renewLease('k', 'me', 150)).toBe(false);
    expect(await c.acquireLease('k', 'other', 10_000)).toBe(true);
    await c.releaseLease('k', 'other');
    expect(await c.acquireLease('k', 'me', 10_000)).toBe(true);
  });

  it('records the code hash and version of each entry, and the parts of each hash once (the first record stays)', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const c = core(prefix);
    await c.put(entry('k-v4', { code: code('h1', 'body-1', '2') }));
    await c.put(entry('k-nohash', { code: code('', 'b', '') }));
    await c.put(entry('k-old')); // copied from a store written before schema v4: no code recorded
    const byKey = new Map((await c.list()).map(info => [info.key, info]));
    expect(byKey.get('k-v4')).toMatchObject({ codeHash: 'h1', version: '2' });
    expect(byKey.get('k-nohash')).toMatchObject({ codeHash: '', version: '' });
    expect(byKey.get('k-old')).toMatchObject({ codeHash: null, version: null });
    const t = Date.now();
    expect(await c.code('fn-a', 'h1')).toEqual({ body: 'body-1', deps: [['src/u.ts#helper', 'abcd']], seenAt: expect.any(Number) });
    // Another process writing the same hash with other parts (it cannot happen for one hash; HSETNX keeps the first).
    await core(prefix).put(entry('k-v4b', { code: code('h1', 'other body'), createdAt: t }));
    expect((await c.code('fn-a', 'h1'))!.body).toBe('body-1');
    expect(await c.code('fn-a', 'h-unknown')).toBeUndefined();
    const raw = `${prefix}c:{fn-a}`;
    await c.connection.send(raw, ['HSET', raw, 'h-bad', '{not json']);
    expect(await c.code('fn-a', 'h-bad')).toBeUndefined();
  });

  it('counts hits and misses per function and per UTC day; the change counter moves with every write', async () => {
    const c = core();
    const before = await c.changes();
    await c.addCounts([['a', runs(2, 50, 1, 25)], ['b', runs(0, 0, 3, 300)]], '2026-01-01');
    await c.addCounts([['a', runs(1, 25, 0, 0)]], '2026-01-01');
    await c.addCounts([['a', runs(0, 0, 2, 60)]], '2026-01-02');
    expect(await c.days()).toEqual([
      { fn: 'a', day: '2026-01-01', hits: 3, savedMs: 75, misses: 1, computeMs: 25 },
      { fn: 'b', day: '2026-01-01', hits: 0, savedMs: 0, misses: 3, computeMs: 300 },
      { fn: 'a', day: '2026-01-02', hits: 0, savedMs: 0, misses: 2, computeMs: 60 },
    ]);
    expect(await c.days('b')).toHaveLength(1);
    expect(new Map(await c.runs())).toEqual(new Map([['a', runs(3, 75, 3, 85)], ['b', runs(0, 0, 3, 300)]]));
    expect(await c.totals()).toMatchObject({ hits: 3, misses: 6, computeMs: 385 });
    const counted = await c.changes();
    expect(counted).toBeGreaterThan(before);
    await c.put(entry('k-change'));
    const put = await c.changes();
    expect(put).toBeGreaterThan(counted);
    await c.delete('k-change');
    expect(await c.changes()).toBeGreaterThan(put);
  });

  it('indexes tags: lists and clears by tag, drops members whose entry lost the tag', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const c = core(prefix);
    const t = Date.now();
    await c.put(entry('w1', { fn: 'a', tags: ['web', 'v1'], createdAt: t }));
    await c.put(entry('w2', { fn: 'b', tags: ['web'], createdAt: t + 1, value: null, blob: 'a'.repeat(64) }));
    await c.put(entry('p1', { fn: 'a', tags: ['pdf'], createdAt: t + 2 }));
    await c.put(entry('n1', { fn: 'a', tags: [], createdAt: t + 3 }));
    expect((await c.entries({ tag: 'web' })).map(info => info.key).sort()).toEqual(['w1', 'w2']);
    expect((await c.entries({ tag: 'web', fn: 'a' })).map(info => info.key)).toEqual(['w1']);
    await c.put(entry('w1', { fn: 'a', tags: ['v1'], createdAt: t + 4 })); // rewritten without "web"
    const index = `${prefix}t:{web}`;
    expect((await c.connection.send(index, ['SMEMBERS', index]) as Buffer[]).map(String).sort()).toEqual(['w1', 'w2']);
    expect((await c.entries({ tag: 'web' })).map(info => info.key)).toEqual(['w2']);
    expect((await c.connection.send(index, ['SMEMBERS', index]) as Buffer[]).map(String)).toEqual(['w2']); // pruned as read
    expect(await c.clear({ tag: 'web' })).toEqual({ entries: 1, blobs: ['a'.repeat(64)] });
    expect(Number(await c.connection.send(index, ['SCARD', index]))).toBe(0);
    expect((await c.list()).map(info => info.key).sort()).toEqual(['n1', 'p1', 'w1']);
    expect((await c.entries({ tag: 'v1' })).map(info => info.key)).toEqual(['w1']);
    expect(await c.clear({ tag: 'v1', fn: 'b' })).toEqual({ entries: 0, blobs: [] });
    expect(await c.clear({ fn: 'a', before: t + 3 })).toEqual({ entries: 1, blobs: [] }); // p1
    expect((await c.list()).map(info => info.key).sort()).toEqual(['n1', 'w1']);
  });

  it('reads entries by creation time from the function index, and finds keys by prefix', async () => {
    const c = core();
    const t = Date.now();
    for (let i = 0; i < 6; i++) await c.put(entry(`key-${i % 2 ? 'odd' : 'even'}-${i}`, { fn: i < 3 ? 'a' : 'b', createdAt: t + i * 10 }));
    const keys = (infos: { key: string }[]) => infos.map(info => info.key).sort();
    expect(keys(await c.entries({ since: t + 10, before: t + 40 }))).toEqual(['key-even-2', 'key-odd-1', 'key-odd-3']);
    expect(keys(await c.entries({ fn: 'b', since: t + 40 }))).toEqual(['key-even-4', 'key-odd-5']);
    expect((await c.find('key-odd', 10)).map(info => info.key)).toEqual(['key-odd-1', 'key-odd-3', 'key-odd-5']);
    expect((await c.find('key-', 2)).map(info => info.key)).toEqual(['key-even-0', 'key-even-2']);
    expect(await c.find('nope', 10)).toEqual([]);
  });

  it('GCRA in one script: a burst passes, then calls wait one interval each; tokens and requests booked together', async () => {
    const prefix = `t${randomUUID().slice(0, 8)}:`;
    const a = core(prefix);
    const b = core(prefix); // another client sharing the state
    const rpm = (cost = 1) => ({ id: 'spot/api/rpm', interval: 1000, burst: 2, cost });
    expect(await a.reserve([rpm()])).toBe(0);
    expect(await b.reserve([rpm()])).toBe(0);
    const third = await a.reserve([rpm()]);
    expect(third).toBeGreaterThan(900);
    expect(third).toBeLessThanOrEqual(1000);
    const fourth = await b.reserve([rpm()]);
    expect(fourth).toBeGreaterThan(1900);
    expect(fourth).toBeLessThanOrEqual(2000);
    // Both buckets of a call: the wait is the larger one, and both are booked.
    const tpm = (cost: number) => ({ id: 'spot/llm/tpm', interval: 10, burst: 0, cost });
    const req = { id: 'spot/llm/rpm', interval: 1000, burst: 1, cost: 1 };
    expect(await a.reserve([req, tpm(50)])).toBe(0);
    const next = await b.reserve([req, tpm(50)]);
    expect(next).toBeGreaterThan(900); // rpm: one interval
    const tokens = Number(await a.connection.send(`${prefix}r:{spot/llm}:tpm`, ['GET', `${prefix}r:{spot/llm}:tpm`]));
    const requests = Number(await a.connection.send(`${prefix}r:{spot/llm}:rpm`, ['GET', `${prefix}r:{spot/llm}:rpm`]));
    expect(requests - tokens).toBeGreaterThan(900); // rpm tat two intervals ahead, tpm tat 1000 ms ahead
  });
});
