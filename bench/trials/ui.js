// Trial "ui": the dashboard's JSON API on a 1,000,000-entry cache, through real HTTP requests.
// Drivers: fill (rows inserted directly, one transaction, into a file the runtime created: schema v4, its triggers
// fill entry_tags) and measure (a fresh process starts the built server and asks for the first page and each filter).
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { note, runChild } from '../lib/child.js';
import { internal, loadRuntime } from '../lib/runtime.js';
import { median } from '../lib/timing.js';

const SPOT = 'ui';
const FUNCTIONS = 20;
const DAYS = 90;
const TAGS = 10;
const DAY_MS = 86_400_000;

/** A deterministic generator, so every run fills the same shape. */
function random(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const fnName = i => `src/pipeline-${i % 4}.ts#step${i}`;

const drivers = {
  async fill({ dir, entries }) {
    const { Spot } = await loadRuntime();
    const { entryChecksum } = await internal('store/checksum.js');
    const spot = new Spot(SPOT, { dir });
    spot.mark(x => x, { name: 'schema' })(0); // the runtime creates the file with its schema
    spot.close();
    const Database = createRequire(import.meta.url)('better-sqlite3');
    const db = new Database(join(dir, `${SPOT}.sqlite`));
    // A bulk load: no journal, the b-trees in memory, and the secondary indexes built once afterwards (sorted).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -2000000');
    const indexes = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL").pluck().all();
    const started = performance.now();
    db.exec(indexes.map(sql => `DROP INDEX ${/CREATE INDEX (\w+)/.exec(sql)[1]};`).join('\n'));
    const now = Date.now();
    const next = random(42);
    const value = new Uint8Array([0x82, 0xa2, 0x6f, 0x6b, 0xc3, 0xa1, 0x6e, 0x01]); // msgpack {ok: true, n: 1}
    const insert = db.prepare(`INSERT INTO entries (key, fn, created_at, expires_at, compute_ms, size, flags, blob, args, tags, value, checksum, code_hash, version)
      VALUES (?, ?, ?, NULL, ?, ?, 0, NULL, ?, ?, ?, ?, ?, '')`);
    const keys = randomBytes(32 * entries);
    db.transaction(() => {
      for (let i = 0; i < entries; i++) {
        const key = keys.subarray(i * 32, i * 32 + 32).toString('base64url');
        const fn = fnName(i % FUNCTIONS);
        const args = `[["url","${keys.toString('hex', i * 32, i * 32 + 8)}"],["depth","${(i % 7).toString(16).padStart(16, '0')}"]]`;
        const tags = i % 10 === 0 ? JSON.stringify([`batch-${(i / 10) % TAGS}`]) : '[]';
        // Sizes from 8 bytes to ~1 MB, log-uniform (what the row says; the stored value stays small).
        insert.run(key, fn, Math.floor(now - next() * DAYS * DAY_MS), next() * 2000, Math.floor(8 * 2 ** (next() * 17)), args, tags,
          value, entryChecksum(key, 0, null, value), 'c'.repeat(32));
      }
      const stats = db.prepare('INSERT OR REPLACE INTO fn_stats (fn, hits, saved_ms, misses, compute_ms) VALUES (?, ?, ?, ?, ?)');
      const days = db.prepare('INSERT OR REPLACE INTO fn_days (fn, day, hits, misses, saved_ms, compute_ms) VALUES (?, ?, ?, ?, ?, ?)');
      for (let f = 0; f < FUNCTIONS; f++) {
        stats.run(fnName(f), 100_000, 5e7, entries / FUNCTIONS, 5e7);
        for (let d = 0; d < DAYS; d++) days.run(fnName(f), new Date(now - d * DAY_MS).toISOString().slice(0, 10), 1000, 500, 5e5, 2.5e5);
      }
    })();
    note(`rows in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    db.exec(indexes.join(";\n"));
    const fillMs = performance.now() - started;
    db.pragma('journal_mode = WAL');
    db.close();
    note(`filled ${entries.toLocaleString('en-US')} entries in ${(fillMs / 1000).toFixed(1)} s`);
    return { entries, fillMs, fileBytes: statSync(join(dir, `${SPOT}.sqlite`)).size };
  },

  async measure({ dir, rounds }) {
    const { startUi } = await import(new URL('../../dist/src/ui/server.js', import.meta.url).href);
    const startedAt = performance.now();
    const ui = await startUi({ dir, port: 0 });
    const startMs = performance.now() - startedAt;
    const base = `http://127.0.0.1:${ui.port}/api`;
    const ask = async path => {
      const started = performance.now();
      const response = await fetch(`${base}/${path}`, { headers: { 'x-beautyspot-token': ui.token } });
      const body = await response.json();
      if (!response.ok) throw new Error(`${path}: ${response.status} ${body.error}`);
      return { ms: performance.now() - started, body };
    };
    const first = await ask(`entries?spot=${SPOT}`);
    const sample = first.body.rows[0];
    const since = Date.now() - DAY_MS;
    const queries = {
      'first page (newest 50)': '',
      'function': `&fn=${encodeURIComponent(fnName(3))}`,
      'tag': '&tag=batch-3',
      'age: last day': `&since=${since}`,
      'size: over 64 KiB': `&minSize=${64 * 1024 + 1}`,
      'text: a key prefix': `&text=${encodeURIComponent(sample.key.slice(0, 8))}`,
      'text: an argument digest': `&text=${sample.args[0][1]}`,
      'function + age + size': `&fn=${encodeURIComponent(fnName(3))}&since=${since}&minSize=1024`,
      'sort by size': '&sort=size',
      'sort by compute time': '&sort=computeMs',
      'page 200 (offset 10,000)': '&offset=10000',
    };
    const results = { 'overview (cards, charts)': [], ...Object.fromEntries(Object.keys(queries).map(name => [name, []])) };
    const totals = {};
    for (let round = 0; round < rounds; round++) {
      results['overview (cards, charts)'].push((await ask(`overview?spot=${SPOT}`)).ms);
      for (const [name, query] of Object.entries(queries)) {
        const { ms, body } = await ask(`entries?spot=${SPOT}${query}`);
        results[name].push(ms);
        totals[name] = body.total;
      }
    }
    await ui.close();
    return {
      startMs,
      firstPageMs: first.ms,
      rounds,
      queries: Object.fromEntries(Object.entries(results).map(([name, samples]) => [name, { ms: median(samples), max: Math.max(...samples), total: totals[name] }])),
    };
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`ui: unknown driver ${args.driver}`);
  return driver(args);
});
