import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as Runtime from '../../runtime/index.js';
import type * as OpenView from '../../src/cache/open-view.js';
import type { CacheView } from '../../src/cache/cache-view.js';
import { requireRedis, startRedis, startRedisCluster } from '../helpers/redis-servers.js';
import { tempDir } from '../helpers/temp-spot.js';
import { writeToolCache } from '../helpers/tool-cache.js';

const available = requireRedis('redis-view');
// The store's sync forms run in the bridge's worker, which imports the built core: the whole path is tested on dist/.
const dist = (path: string): string => pathToFileURL(join(process.cwd(), 'dist', path)).href;
const today = (): string => new Date().toISOString().slice(0, 10);

describe.runIf(available).each([
  ['one server', startRedis],
  ['a cluster of three masters', startRedisCluster],
] as const)('RedisView: the read-only view of a spot in Redis (%s)', (_name, start) => {
  let server: { url: string; stop(): Promise<void> };
  let runtime: typeof Runtime;
  let openView: typeof OpenView.openView;
  const opened: { close(): void }[] = [];

  /** Points BEAUTYSPOT_STORE at a fresh prefix (as a pipeline and the CLI both read it) and writes the view tests' cache there. */
  function writeCache(): { dir: string; spot: Runtime.Spot } {
    process.env.BEAUTYSPOT_STORE = `${server.url}?prefix=v${randomUUID().slice(0, 8)}:`;
    const dir = tempDir();
    const spot = writeToolCache(new runtime.Spot('default', { dir, blobThreshold: 1024 }));
    opened.push(spot);
    return { dir, spot };
  }

  function view(dir: string): CacheView {
    const v = openView('default', { dir })!;
    opened.push(v);
    return v;
  }

  beforeAll(async () => {
    server = await start();
    runtime = await import(dist('runtime/index.js'));
    ({ openView } = await import(dist('src/cache/open-view.js')));
  }, 60_000);
  afterEach(() => {
    for (const o of opened.splice(0)) o.close();
    delete process.env.BEAUTYSPOT_STORE;
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('pages, sorts and filters the entries, and finds keys by prefix', () => {
    const { dir } = writeCache();
    const v = view(dir);
    expect(v.constructor.name).toBe('RedisView');
    expect(v.where).toMatch(/^redis(\+cluster)?:\/\/127\.0\.0\.1:\d+.* \(prefix v\w{8}:default:\)$/);
    expect(v.query().total).toBe(5);
    expect(v.query({ fn: 'fetchPage' }).rows.map(r => r.fn)).toEqual(['fetchPage', 'fetchPage', 'fetchPage']);
    expect(v.query({ tag: 'web' }).total).toBe(3);
    expect(v.query({ tag: 'web', fn: 'render' }).total).toBe(0);
    expect(v.query({ tag: 'nope' }).total).toBe(0);
    const bySize = v.query({ sort: 'size' }).rows;
    expect(bySize[0]!.size).toBeGreaterThan(5000);
    expect(v.query({ sort: 'size', desc: false }).rows[0]!.size).toBe(bySize.at(-1)!.size);
    expect(v.query({ minSize: 1000 }).total).toBe(1);
    expect(v.query({ maxSize: 1000 }).total).toBe(4);
    const byKey = v.query({ sort: 'key', desc: false }).rows.map(r => r.key);
    expect(byKey).toEqual([...byKey].sort());
    const page = v.query({ sort: 'key', desc: false, limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 5, rows: [{ key: byKey[2] }, { key: byKey[3] }] });
    const newest = v.query({ limit: 1 }).rows[0]!;
    expect(newest.createdAt).toBe(Math.max(...bySize.map(r => r.createdAt)));
    expect(v.query({ since: newest.createdAt }).rows.map(r => r.key)).toContain(newest.key);
    expect(v.query({ before: newest.createdAt }).rows.map(r => r.key)).not.toContain(newest.key);
    const one = bySize[1]!;
    expect(v.query({ text: one.key.slice(0, 9) }).rows.map(r => r.key)).toEqual([one.key]);
    expect(v.query({ text: one.args[0]![1].slice(0, 6) }).rows.map(r => r.key)).toContain(one.key);
    expect(v.find(one.key.slice(0, 6)).map(r => r.key)).toContain(one.key);
    expect(v.find('~~~')).toEqual([]);
    const rendered = v.query({ fn: 'render' }).rows;
    expect(rendered.every(r => r.version === '2' && typeof r.codeHash === 'string' && r.codeHash.length === 32)).toBe(true);
  });

  it('reads values inline and from the spot\'s blob files, and refuses a damaged one', () => {
    const { dir } = writeCache();
    const v = view(dir);
    const codec = runtime.defaultCodec();
    const big = v.query({ sort: 'size' }).rows[0]!;
    const stored = v.value(big.key)!;
    expect(stored.blob).toBe(big.blob);
    expect(codec.decode(stored.bytes)).toBe('x'.repeat(5000));
    const small = v.query({ fn: 'fetchPage', text: 'fetchPage' }).rows[0]!;
    expect(codec.decode(v.value(small.key)!.bytes)).toMatch(/^page of [abc]$/);
    writeFileSync(join(dir, 'default.blobs', big.blob!.slice(0, 2), big.blob!), 'damaged');
    expect(v.value(big.key)).toBeUndefined();
    expect(v.value('no-such-key')).toBeUndefined();
  });

  it('a damaged record is no value', async () => {
    const { dir } = writeCache();
    const v = view(dir);
    const key = v.query({ fn: 'fetchPage', limit: 1 }).rows[0]!.key;
    const prefix = /\(prefix (.+)\)$/.exec(v.where)![1]!;
    const { createRedisCore, resolveRedisOptions } = await import(dist('runtime/redis/redis-core.js'));
    const core = createRedisCore(resolveRedisOptions({ url: server.url.replace(/\?.*/, ''), prefix }));
    try {
      const name = `${prefix}e:{${key}}`;
      await core.connection.send(name, ['SETRANGE', name, '30', 'XX']);
    } finally {
      core.close();
    }
    expect(v.value(key)).toBeUndefined();
    expect(v.query({ fn: 'fetchPage' }).total).toBe(3); // still listed: its metadata is intact
  });

  it('sums functions, days, tags and code records', () => {
    const { dir } = writeCache();
    const v = view(dir);
    const fns = v.functions();
    expect(fns.map(f => [f.fn, f.entries, f.hits, f.misses])).toEqual([['fetchPage', 3, 2, 3], ['render', 2, 1, 2]]);
    expect(fns[1]!.bytes).toBeGreaterThan(5000);
    expect(fns.every(f => typeof f.lastWrite === 'number' && f.computeMs >= 0 && f.savedMs >= 0)).toBe(true);
    expect(v.days().map(d => [d.fn, d.day, d.hits, d.misses])).toEqual([['fetchPage', today(), 2, 3], ['render', today(), 1, 2]]);
    expect(v.days('render').map(d => d.fn)).toEqual(['render']);
    expect(v.tags()).toEqual([{ tag: 'v1', entries: 3 }, { tag: 'web', entries: 3 }]);
    const entry = v.query({ fn: 'render' }).rows[0]!;
    expect(v.code('render', entry.codeHash!)).toMatchObject({ fn: 'render', hash: entry.codeHash, body: entry.codeHash, deps: [] });
    expect(v.code('render', 'no-such-hash')).toBeUndefined();
  });

  it('sees another writer\'s puts and counts while open: changes() moves, new entries and counters show', () => {
    const { dir, spot } = writeCache();
    const v = view(dir);
    const before = v.changes();
    expect(v.changes()).toBe(before);
    expect(v.query().total).toBe(5);
    const count = spot.mark((s: string) => s.length, { name: 'count' });
    count('new');
    count('new');
    spot.flush();
    expect(v.changes()).toBeGreaterThan(before);
    expect(v.query().total).toBe(6); // the earlier read is not reused once the counter moved
    expect(v.query({ fn: 'count' }).total).toBe(1);
    expect(v.functions().find(f => f.fn === 'count')).toMatchObject({ entries: 1, hits: 1, misses: 1 });
  });

  it('an entry that expires leaves the view, also from a read it reuses', async () => {
    const { dir, spot } = writeCache();
    const v = view(dir);
    v.changes(); // the view's worker is started, so the next read comes well within the entry's life
    spot.mark((s: string) => s.length, { name: 'brief', ttl: '1500ms' })('x');
    spot.flush();
    expect(v.query().total).toBe(6);
    const changes = v.changes();
    await new Promise(resolve => setTimeout(resolve, 1700));
    expect(v.changes()).toBe(changes); // nothing written meanwhile: the read is reused, and the expired entry filtered out
    expect(v.query({ sort: 'size' }).total).toBe(5);
    expect(v.functions().find(f => f.fn === 'brief')).toMatchObject({ entries: 0 });
  });

  it('clear by tag through a runtime spot (as the CLI deletes) takes only the tagged entries and their index', () => {
    const { dir } = writeCache();
    const v = view(dir);
    const deleter = new runtime.Spot('default', { dir });
    opened.push(deleter);
    expect(deleter.clear({ tag: 'web' })).toBe(3);
    expect(v.query({ tag: 'web' }).total).toBe(0);
    expect(v.query().rows.map(r => r.fn)).toEqual(['render', 'render']);
    expect(v.tags()).toEqual([]);
    expect(v.functions().find(f => f.fn === 'fetchPage')).toMatchObject({ entries: 0, hits: 2, misses: 3 }); // counts stay
  });

  it('the CLI reads and clears the spot in Redis when BEAUTYSPOT_STORE names it: ls, stats, clear --tag', () => {
    const { dir } = writeCache();
    const cli = (...args: string[]): unknown => {
      const result = spawnSync(process.execPath, [join(process.cwd(), 'dist/src/cli.js'), ...args, '--dir', dir, '--json'],
        { encoding: 'utf8', env: { ...process.env, DEBUG: '', BEAUTYSPOT_SUMMARY: '' } });
      expect(result.status, result.stderr).toBe(0);
      return JSON.parse(result.stdout);
    };
    expect(cli('ls', '--tag', 'web')).toMatchObject({ total: 3, entries: [{ fn: 'fetchPage', spot: 'default' }, {}, {}] });
    expect(cli('stats')).toMatchObject({ totals: { entries: 5, hits: 3, misses: 5 } });
    expect(cli('clear', '--tag', 'web', '--yes')).toEqual({ deleted: [{ spot: 'default', entries: 3 }] });
    expect(cli('ls')).toMatchObject({ total: 2, entries: [{ fn: 'render' }, { fn: 'render' }] });
  });
});
