import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Spot, defaultCodec } from '../../runtime/index.js';
import type { CacheView } from '../../src/cache/cache-view.js';
import { openView } from '../../src/cache/open-view.js';
import { tempDir } from '../helpers/temp-spot.js';

/** The view of the test's cache directory, closed when the test finishes. */
function viewOf(dir: string): CacheView {
  const view = openView('default', { dir })!;
  onTestFinished(() => view.close());
  return view;
}
import { writeToolCache } from '../helpers/tool-cache.js';

function writeCache(dir: string): Spot {
  return writeToolCache(new Spot('default', { dir, blobThreshold: 1024 }));
}

describe('SqliteView: a read-only view of a spot file', () => {
  it('pages, sorts and filters the entries', () => {
    const dir = tempDir();
    writeCache(dir).close();
    const view = viewOf(dir);
    expect(view.query().total).toBe(5);
    expect(view.query({ fn: 'fetchPage' }).rows.map(r => r.fn)).toEqual(['fetchPage', 'fetchPage', 'fetchPage']);
    expect(view.query({ tag: 'web' }).total).toBe(3);
    expect(view.query({ tag: 'nope' }).total).toBe(0);
    const bySize = view.query({ sort: 'size' }).rows;
    expect(bySize[0]!.size).toBeGreaterThan(5000);
    expect(view.query({ sort: 'size', desc: false }).rows[0]!.size).toBe(bySize.at(-1)!.size);
    expect(view.query({ minSize: 1000 }).total).toBe(1);
    const page = view.query({ limit: 2, offset: 2 });
    expect(page.rows).toHaveLength(2);
    expect(page.total).toBe(5);
    const one = bySize[1]!;
    expect(view.query({ text: one.key.slice(0, 9) }).rows.map(r => r.key)).toEqual([one.key]);
    expect(view.query({ text: one.key.slice(3, 12) }).total).toBe(0); // the start of a key, not any part
    expect(view.query({ text: one.args[0]![1].slice(0, 6) }).rows.map(r => r.key)).toContain(one.key);
    expect(view.query({ text: 'Page' }).total).toBe(3); // in the function id
    expect(view.find(one.key.slice(0, 6)).map(r => r.key)).toContain(one.key);
    expect(view.find('~~~')).toEqual([]);
    const rendered = view.query({ fn: 'render' }).rows;
    expect(rendered.every(r => r.version === '2' && typeof r.codeHash === 'string' && r.codeHash.length === 32)).toBe(true);
  });

  it('reads values inline and from blobs, and refuses a damaged one', () => {
    const dir = tempDir();
    writeCache(dir).close();
    const view = viewOf(dir);
    const big = view.query({ sort: 'size' }).rows[0]!;
    const stored = view.value(big.key)!;
    expect(stored.blob).toBe(big.blob);
    expect(defaultCodec().decode(stored.bytes)).toBe('x'.repeat(5000));
    const small = view.query({ fn: 'fetchPage', sort: 'key' }).rows[0]!;
    expect(typeof defaultCodec().decode(view.value(small.key)!.bytes)).toBe('string');
    writeFileSync(join(dir, 'default.blobs', big.blob!.slice(0, 2), big.blob!), 'damaged');
    expect(view.value(big.key)).toBeUndefined();
    expect(view.value('no-such-key')).toBeUndefined();
  });

  it('sums functions, days, tags and code records', () => {
    const dir = tempDir();
    writeCache(dir).close();
    const view = viewOf(dir);
    const fns = view.functions();
    expect(fns.map(f => [f.fn, f.entries, f.hits, f.misses])).toEqual([['fetchPage', 3, 2, 3], ['render', 2, 1, 2]]);
    const days = view.days();
    expect(days.map(d => [d.fn, d.day, d.hits, d.misses])).toEqual([
      ['fetchPage', new Date().toISOString().slice(0, 10), 2, 3],
      ['render', new Date().toISOString().slice(0, 10), 1, 2],
    ]);
    expect(view.tags()).toEqual([{ tag: 'v1', entries: 3 }, { tag: 'web', entries: 3 }]);
    const entry = view.query({ fn: 'render' }).rows[0]!;
    expect(view.code('render', entry.codeHash!)).toMatchObject({ fn: 'render', hash: entry.codeHash, body: entry.codeHash, deps: [] });
  });

  it('sees another connection\'s writes while open, without writing the file itself', () => {
    const dir = tempDir();
    const spot = writeCache(dir);
    onTestFinished(() => spot.close());
    const view = viewOf(dir);
    const before = view.changes();
    expect(view.changes()).toBe(before);
    spot.mark((s: string) => s.length, { name: 'count' })('new');
    spot.flush();
    expect(view.changes()).not.toBe(before);
    expect(view.query({ fn: 'count' }).total).toBe(1);
  });

  it('keeps no tag or digest rows of entries that are gone', async () => {
    const { default: Database } = await import('better-sqlite3');
    const dir = tempDir();
    const spot = writeCache(dir);
    const rows = (): number[] => {
      const db = new Database(join(dir, 'default.sqlite'), { readonly: true });
      try {
        return ['entry_tags', 'entry_args'].map(table => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number);
      } finally {
        db.close();
      }
    };
    expect(rows()).toEqual([6, 5]); // 3 entries × 2 tags; one digest per entry
    spot.clear({ fn: 'fetchPage' });
    expect(rows()).toEqual([0, 2]);
    spot.clear();
    spot.close();
    expect(rows()).toEqual([0, 0]);
    expect(viewOf(dir).query({ text: 'a' }).total).toBe(0);
  });

  it('is undefined for a spot that never stored anything', () => {
    expect(openView('default', { dir: tempDir() })).toBeUndefined();
  });
});

describe('SqliteView on files it must not change', () => {
  it('reads a value of a version 1 file, which has no checksums yet', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { MIGRATIONS } = await import('../../runtime/store/sqlite-schema.js');
    const dir = tempDir();
    const db = new Database(join(dir, 'default.sqlite'));
    db.exec(MIGRATIONS[1]!);
    db.pragma('user_version = 1');
    const value = defaultCodec().encode('first value');
    db.prepare(`INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value)
      VALUES ('k1', 'old', 1, NULL, 1, ?, 0, NULL, '[]', '[]', ?)`).run(value.length, value);
    db.close();
    const view = viewOf(dir);
    expect(defaultCodec().decode(view.value('k1')!.bytes)).toBe('first value');
  });

  it('reads a version 3 file as it is: no migration, not a byte written', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { MIGRATIONS } = await import('../../runtime/store/sqlite-schema.js');
    const { entryChecksum } = await import('../../runtime/store/checksum.js');
    const dir = tempDir();
    const file = join(dir, 'default.sqlite');
    const db = new Database(file);
    db.function('beautyspot_checksum', (_key: unknown, _flags: unknown, _expires: unknown, _content: unknown) => 0);
    for (const v of [1, 2, 3]) db.exec(MIGRATIONS[v]!);
    db.pragma('user_version = 3');
    const value = defaultCodec().encode('old value');
    db.prepare(`INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value, checksum)
      VALUES ('k3', 'legacy', 1000, NULL, 12, ?, 0, NULL, '[["x","abcd"]]', '["old"]', ?, ?)`).run(value.length, value, entryChecksum('k3', 0, null, value));
    db.prepare("INSERT INTO fn_stats (fn, hits, saved_ms) VALUES ('legacy', 4, 48)").run();
    db.close();
    const bytes = readFileSync(file);

    const view = viewOf(dir);
    expect(view.query({ tag: 'old' }).rows).toMatchObject([{ key: 'k3', fn: 'legacy', codeHash: null, version: null, args: [['x', 'abcd']] }]);
    expect(defaultCodec().decode(view.value('k3')!.bytes)).toBe('old value');
    expect(view.functions()).toEqual([{ fn: 'legacy', entries: 1, bytes: value.length, hits: 4, misses: 0, savedMs: 48, computeMs: 0, lastWrite: 1000 }]);
    expect(view.tags()).toEqual([{ tag: 'old', entries: 1 }]);
    expect(view.days()).toEqual([]);
    expect(view.code('legacy', 'x')).toBeUndefined();
    view.close();
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
