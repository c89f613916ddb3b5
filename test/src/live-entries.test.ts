import { describe, expect, it } from 'vitest';
import { Spot } from '../../runtime/index.js';
import type { EntryRecord } from '../../runtime/store/store.js';
import type { CacheView } from '../../src/cache/cache-view.js';
import { liveEntries } from '../../src/cache/live-entries.js';
import { openView } from '../../src/cache/open-view.js';
import { tempDir } from '../helpers/temp-spot.js';

const BASE = Date.parse('2026-01-01T00:00:00Z');

/** A real entry record; three entries share each creation time, so ties straddle page boundaries. */
function record(i: number, createdAt = BASE + Math.floor(i / 3)): EntryRecord {
  return {
    key: `k${String(i).padStart(4, '0')}`.padEnd(43, 'x'), fn: 'f', createdAt, expiresAt: null, computeMs: 1, size: 1, flags: 0,
    blob: null, value: new Uint8Array([i & 0xff]), args: [], tags: i % 2 ? ['odd'] : [],
  };
}

/** Lists a spot file through its real view, in pages of 10, changing the file from `between` before each later page. */
function listWhile(dir: string, between: (page: number) => void, filter = {}): string[] {
  const view = openView('default', { dir })!;
  let pages = 0;
  const hooked: Pick<CacheView, 'query'> = { query: q => (pages++ > 0 && between(pages - 1), view.query(q)) };
  try {
    return [...liveEntries(hooked, filter, 10)].map(row => row.key);
  } finally {
    view.close();
  }
}

function cacheOf(count: number): { dir: string; spot: Spot; keys: () => string[] } {
  const dir = tempDir();
  const spot = new Spot('default', { dir });
  for (let i = 0; i < count; i++) spot.parts().store.put(record(i));
  return { dir, spot, keys: () => spot.entries({ limit: 10_000 }).map(e => e.key) };
}

describe('liveEntries: every entry, in pages, while the cache changes', () => {
  it('lists each entry once, oldest first, ties and all, when nothing changes', () => {
    const { dir, spot } = cacheOf(95);
    spot.close();
    expect(listWhile(dir, () => undefined)).toEqual(Array.from({ length: 95 }, (_, i) => record(i).key));
    expect(listWhile(dir, () => undefined, { tag: 'odd' })).toHaveLength(47);
  });

  it('passes over no entry that stays while others are deleted, rewritten and added between pages', () => {
    const { dir, spot, keys } = cacheOf(120);
    const before = new Set(keys());
    const store = spot.parts().store;
    let next = 120;
    const rewritten = new Set<string>();
    const rewrite = (i: number, createdAt: number): void => {
      store.put(record(i, createdAt));
      rewritten.add(record(i).key);
    };
    const listed = listWhile(dir, page => {
      // Deletions before the cursor shift every offset after them (eviction, gc, clear).
      store.delete(record(page * 10 - 7).key);
      store.delete(record(page * 10 - 3).key);
      // Rewrites move an entry to the end (a refresh): one already listed, one not yet.
      rewrite(page * 10 - 5, BASE + 1000 + page);
      rewrite(page * 10 + 4, BASE + 1000 + page);
      store.put(record(next++, BASE + 2000 + page)); // a new entry
    });
    const stayed = keys();
    spot.close();
    expect(stayed.filter(key => before.has(key)).filter(key => !listed.includes(key))).toEqual([]);
    // Only rewritten entries come twice (as they were, and as they are).
    const twice = listed.filter((key, i) => listed.indexOf(key) !== i);
    expect(twice.length).toBeGreaterThan(0);
    expect(twice.filter(key => !rewritten.has(key))).toEqual([]);
    // Entries added while listing come after the pages already read.
    expect(listed).toContain(record(120).key);
  });
});
