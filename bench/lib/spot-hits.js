// Shared by the hit and scale trials: open a filled spot and time hits of the marked function against the
// floor (a raw prepared SELECT of the same row on the same connection + decode with the spot's codec),
// in interleaved rounds of one process.
import { FN_NAME, item, makeValue, nameOf, prng, randomIndices, randomKey } from './fixture.js';
import { interleave } from './timing.js';
import { loadRuntime } from './runtime.js';

/**
 * Fills spot `name` in `dir` by calling the marked function for entries 0..real-1, spread among `size` rows
 * (the others are filler rows with random keys, written with the store's own `put`), in one transaction.
 */
export async function fillSpot({ dir, name, size, real }) {
  const { Spot, defaultCodec } = await loadRuntime();
  const spot = new Spot(name, { dir });
  const f = spot.mark(item, { name: FN_NAME });
  const { store } = spot.parts();
  const stride = size / real;
  const filler = defaultCodec().encode(makeValue(size));
  const next = prng(size);
  const start = performance.now();
  let k = 0;
  store.db.transaction(() => {
    for (let j = 0; j < size; j++) {
      if (k < real && j >= k * stride) {
        f(nameOf(k), k);
        k++;
      } else {
        const now = Date.now();
        store.put({ key: randomKey(next), fn: FN_NAME, value: filler, blob: null, size: filler.length, createdAt: now,
          expiresAt: null, computeMs: 0.01, flags: 0, args: [], tags: [] });
      }
    }
  })();
  const fillMs = performance.now() - start;
  const misses = spot.session.misses;
  const rows = store.db.prepare('SELECT count(*) FROM entries').pluck().get();
  spot.close();
  if (misses !== real || rows !== size) throw new Error(`fill of ${name}: ${misses} misses for ${real} entries, ${rows} rows for ${size}`);
  return { fillMs, rows, real };
}

/**
 * Times floor vs beautyspot hits on spot `name` (filled by `fillSpot`), random keys among its real entries.
 * `aged: true` moves every entry's write time an hour back first, so each entry's first read in the process
 * records its access (the batched writes to the access table a re-run the next day pays); otherwise the
 * entries were written within the minute and reads record nothing.
 */
export async function timeHits({ dir, name, rounds, ops, seed = 1, aged = false }) {
  const { Spot } = await loadRuntime();
  const spot = new Spot(name, { dir });
  const f = spot.mark(item, { name: FN_NAME });
  const { store, codec } = spot.parts();
  const db = store.db;
  if (aged) db.prepare('UPDATE entries SET created_at = created_at - 3600000').run();
  // The real entries' keys, in the order they were filled (entry k at index k): filler rows have no arg digests.
  const keys = db.prepare("SELECT key FROM entries WHERE args <> '[]' ORDER BY id").pluck().all();
  const real = keys.length;
  const names = Array.from({ length: real }, (_, k) => nameOf(k));
  const select = db.prepare('SELECT value FROM entries WHERE key = ?').raw(true);

  // Both sides must read the same rows: check one entry through each path.
  const probe = Math.floor(real / 2);
  const viaFloor = codec.decode(select.get(keys[probe])[0]);
  const viaSpot = f(names[probe], probe);
  if (JSON.stringify(viaFloor) !== JSON.stringify(item(names[probe], probe)) || JSON.stringify(viaSpot) !== JSON.stringify(viaFloor) ||
      spot.session.hits !== 1 || spot.session.misses !== 0) {
    throw new Error(`spot ${name}: floor and beautyspot do not read the same entry`);
  }

  const seqs = new Map();
  const seq = r => {
    let s = seqs.get(r);
    if (!s) seqs.set(r, (s = randomIndices(ops, real, seed * 7919 + r + 17)));
    return s;
  };
  for (let r = -1; r < rounds; r++) seq(r);

  const result = interleave(hitDrivers({ codec, select, keys, names, seq }, { beautyspot: f }), { rounds, ops });
  const session = { ...spot.session };
  spot.close();
  if (session.misses !== 0) throw new Error(`spot ${name}: ${session.misses} misses while timing hits`);
  return { ...result, real, hits: session.hits };
}

/**
 * Interleaved drivers over the same random keys: the floor (the raw prepared SELECT of the value + decode) and
 * one per marked function, called with the entry's arguments.
 */
export function hitDrivers({ codec, select, keys, names, seq }, fns) {
  const drivers = {
    floor: r => {
      const idx = seq(r);
      let sink = 0;
      for (let i = 0; i < idx.length; i++) sink += codec.decode(select.get(keys[idx[i]])[0]).id;
      return sink;
    },
  };
  for (const [name, fn] of Object.entries(fns)) {
    drivers[name] = r => {
      const idx = seq(r);
      let sink = 0;
      for (let i = 0; i < idx.length; i++) {
        const k = idx[i];
        sink += fn(names[k], k).id;
      }
      return sink;
    };
  }
  return drivers;
}
