// Trial "miss": the per-op cost of a miss of a marked function with a trivial body (new args every call:
// body + key + encode + insert) vs the raw autocommit INSERT of a 32-byte key + encoded value into an
// identical table (a fresh SqliteStore file: same schema, same pragmas: WAL, synchronous=NORMAL).
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { FN_NAME, makeValue, nameOf, prng, randomKey } from '../lib/fixture.js';
import { interleave } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';

const POOL = 1024;

runChild(async ({ dir, rounds, ops }) => {
  const { Spot, SqliteStore, defaultCodec } = await loadRuntime();
  const codec = defaultCodec();
  const values = Array.from({ length: POOL }, (_, i) => makeValue(i));
  const encoded = values.map(v => codec.encode(v));

  // beautyspot: a fresh spot, a trivial body, new arguments every call.
  const spot = new Spot('miss', { dir: join(dir, 'spot') });
  const trivial = spot.mark((name, n) => values[n & (POOL - 1)], { name: FN_NAME });
  const total = (rounds + 1) * ops;
  const names = Array.from({ length: total }, (_, i) => nameOf(i));

  // floor: the same schema and pragmas, a raw prepared INSERT, autocommit.
  // Each side writes its own file, so every table grows at the same pace.
  const rawStore = name => {
    const store = new SqliteStore(join(dir, 'raw', `${name}.sqlite`));
    return [store, store.db.prepare(`INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value)
      VALUES (?, ?, ?, NULL, ?, ?, 0, NULL, ?, '[]', ?)`)];
  };
  const [raw, insert] = rawStore('raw');
  const [rawEnc, insertEnc] = rawStore('raw-encode');
  const next = prng(12345);
  const keys = Array.from({ length: 2 * total }, () => randomKey(next));
  // The arg digests beautyspot stores for two arguments, so both rows have the same size.
  const args = JSON.stringify([['#0', '0123456789abcdef'], ['#1', '0123456789abcdef']]);

  let bsNext = 0;
  let rawNext = 0;
  let encNext = 0;
  const result = interleave({
    'raw INSERT': () => {
      let sink = 0;
      for (let i = 0; i < ops; i++) {
        const j = rawNext++;
        const bytes = encoded[j & (POOL - 1)];
        const now = Date.now();
        sink += insert.run(keys[j], FN_NAME, now, 0.001, bytes.length, args, bytes).changes;
      }
      return sink;
    },
    'raw INSERT + encode': () => {
      let sink = 0;
      for (let i = 0; i < ops; i++) {
        const j = encNext++;
        const bytes = codec.encode(values[j & (POOL - 1)]);
        const now = Date.now();
        sink += insertEnc.run(keys[total + j], FN_NAME, now, 0.001, bytes.length, args, bytes).changes;
      }
      return sink;
    },
    beautyspot: () => {
      let sink = 0;
      for (let i = 0; i < ops; i++) {
        const j = bsNext++;
        sink += trivial(names[j], j).id;
      }
      return sink;
    },
  }, { rounds, ops });

  const session = { ...spot.session };
  const rawRows = [raw, rawEnc].map(store => store.db.prepare('SELECT count(*) FROM entries').pluck().get()).reduce((a, b) => a + b);
  const spotRows = spot.parts().store.db.prepare('SELECT count(*) FROM entries').pluck().get();
  spot.close();
  raw.close();
  rawEnc.close();
  if (session.misses !== total || session.hits !== 0 || spotRows !== total || rawRows !== 2 * total) {
    throw new Error(`miss: expected ${total} misses and rows, got ${session.misses} misses, ${session.hits} hits, ${spotRows} rows (raw ${rawRows})`);
  }
  return { ...result, valueBytes: encoded.reduce((a, b) => a + b.length, 0) / POOL, rows: total };
});
