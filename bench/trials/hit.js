// Trial "hit": the per-op cost of serving a cached value, beautyspot vs its floor and other caches.
// Drivers (one per process): setup, spot (floor + beautyspot interleaved), aged (entries written an hour ago), keyv, cacache,
// map, pmemoize.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, note } from '../lib/child.js';
import { item, makeValue, nameOf, randomIndices } from '../lib/fixture.js';
import { fillSpot, timeHits } from '../lib/spot-hits.js';
import { calibrate, interleave, interleaveAsync } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';

const SPOT = 'hit';

const drivers = {
  /** Fills the spot the floor and beautyspot read, by calling the marked function once per entry. */
  async setup({ dir, entries }) {
    const fill = await fillSpot({ dir, name: SPOT, size: entries, real: entries });
    const { defaultCodec } = await loadRuntime();
    const sizes = [0, entries >> 1, entries - 1].map(i => defaultCodec().encode(makeValue(i)).length);
    return { ...fill, valueBytes: sizes.reduce((a, b) => a + b) / sizes.length };
  },

  spot({ dir, rounds, ops }) {
    return timeHits({ dir, name: SPOT, rounds, ops });
  },

  /** The same on entries written an hour ago: each entry's first read records its access (a next-day re-run). */
  aged({ dir, rounds, ops }) {
    return timeHits({ dir, name: SPOT, rounds, ops, seed: 2, aged: true });
  },

  /** keyv 5 + @keyv/sqlite 4 (node-sqlite3, async), its own file with the same N entries. */
  async keyv({ dir, entries, rounds }) {
    const { default: Keyv } = await import('keyv');
    const { default: KeyvSqlite } = await import('@keyv/sqlite');
    const { default: Database } = await import('better-sqlite3');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'keyv.sqlite');
    const keyOf = i => `${nameOf(i)}|${i}`;
    const keyv = new Keyv({ store: new KeyvSqlite(`sqlite://${file}`) });
    // The first entry through keyv itself (creates the table), the rest in one transaction in keyv's own format.
    const start = performance.now();
    await keyv.set(keyOf(0), makeValue(0));
    const bulk = new Database(file);
    const insert = bulk.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
    const reference = bulk.prepare('SELECT value FROM keyv WHERE key = ?').pluck().get(`keyv:${keyOf(0)}`);
    if (reference !== await keyv.serializeData({ value: makeValue(0), expires: undefined })) {
      throw new Error(`keyv row format is not what the bulk fill writes: ${reference}`);
    }
    const rows = [];
    for (let i = 1; i < entries; i++) rows.push([`keyv:${keyOf(i)}`, await keyv.serializeData({ value: makeValue(i), expires: undefined })]);
    bulk.transaction(() => {
      for (const [k, v] of rows) insert.run(k, v);
    })();
    bulk.close();
    const fillMs = performance.now() - start;
    const keys = Array.from({ length: entries }, (_, i) => keyOf(i));
    const check = await keyv.get(keys[entries - 1]);
    if (JSON.stringify(check) !== JSON.stringify(makeValue(entries - 1))) throw new Error('keyv did not return the stored value');
    const ops = await calibrate(i => keyv.get(keys[i % entries]));
    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, entries, 31 + r));
    const result = await interleaveAsync({
      keyv: async r => {
        const idx = seqs[r + 1];
        let sink = 0;
        for (let i = 0; i < ops; i++) sink += (await keyv.get(keys[idx[i]])).id;
        return sink;
      },
    }, { rounds, ops });
    await keyv.disconnect();
    return { ...result.keyv, entries, fillMs, fill: '1 keyv.set + bulk INSERT of keyv-serialized rows' };
  },

  /** cacache 20: one put per entry (concurrency 16) until `entries` or `budgetMs`, then get + JSON.parse. */
  async cacache({ dir, entries, rounds, budgetMs }) {
    const { default: cacache } = await import('cacache');
    const cache = join(dir, 'cacache');
    const keyOf = i => `${nameOf(i)}|${i}`;
    const start = performance.now();
    let filled = 0;
    let next = 0;
    const worker = async () => {
      while (next < entries && performance.now() - start < budgetMs) {
        const i = next++;
        await cacache.put(cache, keyOf(i), JSON.stringify(makeValue(i)));
        filled++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const fillMs = performance.now() - start;
    if (filled < entries) note(`cacache: ${filled.toLocaleString('en-US')} of ${entries.toLocaleString('en-US')} entries in ${(fillMs / 1000).toFixed(0)} s (budget)`);
    const count = next; // every index below `next` was put
    const keys = Array.from({ length: count }, (_, i) => keyOf(i));
    const get = async key => JSON.parse((await cacache.get(cache, key)).data);
    const check = await get(keys[count - 1]);
    if (JSON.stringify(check) !== JSON.stringify(makeValue(count - 1))) throw new Error('cacache did not return the stored value');
    const ops = await calibrate(i => get(keys[i % count]));
    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, count, 53 + r));
    const result = await interleaveAsync({
      cacache: async r => {
        const idx = seqs[r + 1];
        let sink = 0;
        for (let i = 0; i < ops; i++) sink += (await get(keys[idx[i]])).id;
        return sink;
      },
    }, { rounds, ops });
    return { ...result.cacache, entries: count, fillMs, fill: 'cacache.put per entry, 16 concurrent' };
  },

  /** In memory, not persistent: a Map keyed by JSON.stringify(args). */
  map({ entries, rounds, ops }) {
    const memo = new Map();
    const cached = (name, n) => {
      const key = JSON.stringify([name, n]);
      let value = memo.get(key);
      if (value === undefined) {
        value = item(name, n);
        memo.set(key, value);
      }
      return value;
    };
    const names = Array.from({ length: entries }, (_, i) => nameOf(i));
    for (let i = 0; i < entries; i++) cached(names[i], i);
    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, entries, 71 + r));
    const result = interleave({
      map: r => {
        const idx = seqs[r + 1];
        let sink = 0;
        for (let i = 0; i < ops; i++) {
          const k = idx[i];
          sink += cached(names[k], k).id;
        }
        return sink;
      },
    }, { rounds, ops });
    return { ...result.map, entries };
  },

  /** In memory, not persistent: p-memoize 8 with a JSON.stringify cache key (its default keys on the first argument only). */
  async pmemoize({ entries, rounds, ops }) {
    const { default: pMemoize } = await import('p-memoize');
    const cached = pMemoize(async (name, n) => item(name, n), { cacheKey: args => JSON.stringify(args) });
    const names = Array.from({ length: entries }, (_, i) => nameOf(i));
    for (let i = 0; i < entries; i++) await cached(names[i], i);
    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, entries, 97 + r));
    const result = await interleaveAsync({
      pmemoize: async r => {
        const idx = seqs[r + 1];
        let sink = 0;
        for (let i = 0; i < ops; i++) {
          const k = idx[i];
          sink += (await cached(names[k], k)).id;
        }
        return sink;
      },
    }, { rounds, ops });
    return { ...result.pmemoize, entries };
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`hit: unknown driver ${args.driver}`);
  return driver(args);
});
