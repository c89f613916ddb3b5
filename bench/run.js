// The benchmark orchestrator: `npm run bench` (builds dist/ first).
// Each trial is data: the child processes to run (file + driver + arguments) and how to print their results.
// Every measurement runs in a fresh `node` process; this process only spawns, collects JSON and prints.
// Targets are reported PASS/MISS; the exit code is non-zero only if the harness itself fails.
//
// Environment: BENCH_ENTRIES (hit fixture size, default 100,000), BENCH_SCALE_MAX (large scale size,
// default 1,000,000), BENCH_ONLY (comma-separated trial ids: hit,blob,redis,s3,miss,limit,scale,cold,key,compiled,keygen,memory,vite,dev,run,ui).
// BENCH_UI_ENTRIES: entries of the dashboard trial's cache (default 1,000,000).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runTrial } from './lib/child.js';
import { ENTRIES, SCALE_MAX } from './lib/fixture.js';
import { count, formatBytes, header, ms, pct, ratio, table, us } from './lib/print.js';
import { RUNTIME_PATH } from './lib/runtime.js';

const SCALE_SMALL = Math.min(10_000, SCALE_MAX);
/** Entries of the scale trial found through the marked function (the rest are filler rows). */
const scaleReal = size => Math.min(size, 100_000);
/** How long cacache may take to fill before the trial uses the entries it has. */
const CACACHE_BUDGET_MS = 60_000;
/** Modules of the generated project the vite trial builds. */
const VITE_MODULES = 300;
/** Modules of the (smaller) generated project the dev re-transform trial serves. */
const DEV_MODULES = 40;
/** Entries of the cache the dashboard trial serves. */
const UI_ENTRIES = Number(process.env.BENCH_UI_ENTRIES ?? 1_000_000);
/** Distinct arguments of the memory trial, all kept in the memory tier. */
const MEMORY_ENTRIES = 1_000;
/** What each dashboard answer may take, server side, at 1,000,000 entries. */
const UI_TARGET_MS = 300;

const COLS = {
  name: { title: 'driver', align: 'l' },
  entries: { title: 'entries', align: 'r' },
  perOp: { title: 'µs/op', align: 'r' },
  spread: { title: 'spread', align: 'r' },
  target: { title: 'target', align: 'l' },
};

/** A target line for the final block: measured ratio (or value) vs the limit. */
function target(trial, text, measured, pass, shown) {
  return { trial, text, measured, pass, shown };
}

function failedRow(name, error, width) {
  return [name, ...Array(width - 2).fill('-'), `FAILED: ${error.message.split('\n')[0].slice(0, 120)}`];
}

const TRIALS = [
  {
    id: 'hit',
    title: `hit: one cached call, random keys among ${count(ENTRIES)} entries of a ~140-byte value, keyed by (string, number)`,
    file: 'hit.js',
    steps: [
      { key: 'setup', args: { driver: 'setup', entries: ENTRIES } },
      { key: 'spot', args: { driver: 'spot', rounds: 10, ops: 20_000 } },
      { key: 'aged', args: { driver: 'aged', rounds: 10, ops: 20_000 } },
      { key: 'keyv', args: { driver: 'keyv', entries: ENTRIES, rounds: 5 }, sub: 'keyv' },
      { key: 'cacache', args: { driver: 'cacache', entries: ENTRIES, rounds: 5, budgetMs: CACACHE_BUDGET_MS }, sub: 'cacache' },
      { key: 'map', args: { driver: 'map', entries: ENTRIES, rounds: 10, ops: 20_000 } },
      { key: 'pmemoize', args: { driver: 'pmemoize', entries: ENTRIES, rounds: 10, ops: 20_000 } },
    ],
    render(r, errors) {
      const floor = r.spot?.floor;
      const bs = r.spot?.beautyspot;
      const cols = [COLS.name, COLS.entries, COLS.perOp, COLS.spread, { title: '× floor', align: 'r' },
        { title: '× beautyspot', align: 'r' }, COLS.target];
      const row = (name, m, entries, goal = '') => m
        ? [name, count(entries), us(m.us), pct(m.spread), ratio(m.us / floor?.us), ratio(m.us / bs?.us), goal]
        : null;
      const targets = [];
      const rows = [];
      const add = (key, name, m, entries, goal) => {
        if (errors[key]) rows.push(failedRow(name, errors[key], cols.length));
        else rows.push(row(name, m, entries, goal));
      };
      add('spot', 'floor: better-sqlite3 get + codec.decode', floor, r.spot?.real);
      add('spot', 'beautyspot: marked (string, number) fn', bs, r.spot?.real, 'beautyspot ≤ 1.3× floor');
      if (errors.aged) rows.push(failedRow('beautyspot, entries an hour old', errors.aged, cols.length));
      else if (r.aged) {
        const d = r.aged.beautyspot;
        rows.push(['beautyspot, entries an hour old', count(r.aged.real), us(d.us), pct(d.spread),
          `${ratio(d.us / r.aged.floor.us)} own`, ratio(d.us / bs?.us), '(a re-run the next day)']);
      }
      add('keyv', 'keyv 5 + @keyv/sqlite 4', r.keyv, r.keyv?.entries, 'keyv ≥ 5× beautyspot');
      add('cacache', 'cacache 20 get + JSON.parse', r.cacache, r.cacache?.entries, 'cacache ≥ 20× beautyspot');
      add('map', 'Map + JSON.stringify memo (in memory)', r.map, r.map?.entries);
      add('pmemoize', 'p-memoize 8 (in memory, async)', r.pmemoize, r.pmemoize?.entries);
      if (floor && bs) targets.push(target('hit', 'beautyspot hit ≤ 1.3× floor', bs.us / floor.us, bs.us / floor.us <= 1.3, ratio(bs.us / floor.us)));
      if (bs && r.keyv) targets.push(target('hit', 'keyv ≥ 5× beautyspot', r.keyv.us / bs.us, r.keyv.us / bs.us >= 5, ratio(r.keyv.us / bs.us)));
      if (bs && r.cacache) targets.push(target('hit', 'cacache ≥ 20× beautyspot', r.cacache.us / bs.us, r.cacache.us / bs.us >= 20, ratio(r.cacache.us / bs.us)));
      const notes = [
        'µs/op: median over rounds; spread: ±half the range of the rounds around the median.',
        r.spot ? `floor + beautyspot: one process, ${r.spot.floor.rounds} interleaved rounds × ${count(r.spot.floor.ops)} ops, same file, same random keys.` : '',
        r.aged ? `entries an hour old: a separate process on the same entries with their write times an hour back, so the first read of each records its access (batched into the access table); ` +
          `× floor against its own interleaved floor (${us(r.aged.floor.us)}).` : '',
        r.setup ? `fixture: ${count(r.setup.rows)} entries filled through the marked function in one transaction in ${(r.setup.fillMs / 1000).toFixed(1)} s; value ${r.setup.valueBytes.toFixed(0)} B msgpack.` : '',
        r.keyv ? `keyv: ${r.keyv.rounds} rounds × ${count(r.keyv.ops)} awaited gets; filled by ${r.keyv.fill} in ${(r.keyv.fillMs / 1000).toFixed(1)} s.` : '',
        r.cacache ? `cacache: ${r.cacache.rounds} rounds × ${count(r.cacache.ops)} awaited gets; ${count(r.cacache.entries)} entries${r.cacache.entries < ENTRIES ? ` (of ${count(ENTRIES)}: fill budget ${CACACHE_BUDGET_MS / 1000} s)` : ''} by ${r.cacache.fill} in ${(r.cacache.fillMs / 1000).toFixed(1)} s.` : '',
      ].filter(Boolean);
      return { text: table(this.title, cols, rows.filter(Boolean), notes), targets };
    },
  },

  {
    id: 'blob',
    title: 'blob: a hit of a 200 KiB Uint8Array stored as a blob vs reading its file + codec.decode; the inline checksum alone',
    file: 'blob.js',
    steps: [
      { key: 'blob', args: { driver: 'blob', rounds: 10, ops: 2_000 } },
      { key: 'checksum', args: { driver: 'checksum', rounds: 10, ops: 200_000 } },
    ],
    render(r, errors) {
      const cols = [COLS.name, COLS.perOp, COLS.spread, { title: '× floor', align: 'r' }, COLS.target];
      const rows = [];
      const targets = [];
      if (errors.blob) rows.push(failedRow('blob', errors.blob, cols.length));
      else {
        const floor = r.blob.floor.us;
        const x = r.blob.beautyspot.us / floor;
        rows.push(['floor: readFileSync + codec.decode', us(floor), pct(r.blob.floor.spread), ratio(1), '']);
        rows.push(['beautyspot: marked fn, blob hit (verified)', us(r.blob.beautyspot.us), pct(r.blob.beautyspot.spread), ratio(x), 'blob hit ≤ 1.5× floor']);
        targets.push(target('blob', 'blob hit ≤ 1.5× reading the file', x, x <= 1.5, ratio(x)));
      }
      if (errors.checksum) rows.push(failedRow('checksum', errors.checksum, cols.length));
      else rows.push([`entry checksum of a ${r.checksum.valueBytes}-byte inline value`, us(r.checksum.checksum.us), pct(r.checksum.checksum.spread), '', '(part of every inline hit)']);
      return { text: table(this.title, cols, rows, [
        'blob: one process, interleaved rounds, the same blob file; its SHA-256 is checked on the first read and whenever the file changes.',
      ]), targets };
    },
  },

  {
    id: 'redis',
    title: 'redis: RedisStore hits (one GET of a ~140-byte record) on a local redis-server the trial starts',
    file: 'redis.js',
    steps: [
      { key: 'async', args: { driver: 'async', rounds: 10, ops: 500 } },
      { key: 'sync', args: { driver: 'sync', rounds: 10, ops: 2_000 } },
    ],
    render(r, errors) {
      const cols = [COLS.name, COLS.perOp, COLS.spread, { title: 'ratio', align: 'r' }, COLS.target];
      const rows = [];
      const targets = [];
      if (errors.async) rows.push(failedRow('async', errors.async, cols.length));
      else {
        const m = r.async;
        const many = m[`concurrent${m.concurrency}`];
        const x = m.async.us / m.raw.us;
        const y = many.us / m.async.us;
        rows.push(['floor: raw GET of the record, same client', us(m.raw.us), pct(m.raw.spread), ratio(1), '']);
        rows.push(['getAsync: GET + verify + decode the record', us(m.async.us), pct(m.async.spread), `${ratio(x)} raw`, 'async hit ≤ 1.3× raw GET']);
        rows.push([`${m.concurrency} concurrent getAsync, distinct keys (per batch)`, us(many.us), pct(many.spread), `${ratio(y)} one`, `${m.concurrency} hits ≤ 3× one`]);
        targets.push(target('redis', 'async hit ≤ 1.3× a raw GET on the same client', x, x <= 1.3, ratio(x)));
        targets.push(target('redis', `${m.concurrency} concurrent async hits ≤ 3× one`, y, y <= 3, ratio(y)));
      }
      if (errors.sync) rows.push(failedRow('sync (bridge)', errors.sync, cols.length));
      else {
        const m = r.sync;
        const z = m.sync.us / m.async.us;
        rows.push(['get (sync, through the worker bridge)', us(m.sync.us), pct(m.sync.spread), `${ratio(z)} async`, 'sync hit ≤ 2× async']);
        targets.push(target('redis', 'sync hit (bridge) ≤ 2× async hit', z, z <= 2, ratio(z)));
      }
      return { text: table(this.title, cols, rows, [
        'µs/op: median over rounds of sequential awaited calls on one key (a batch counts as one op); the raw GET and getAsync interleaved in one process.',
        'sync vs async: another process on its own server; the async rounds are measured there again so the ratio is within one process.',
      ]), targets };
    },
  },

  {
    id: 's3',
    title: 'S3 blobs: a 200 KiB blob hit through S3Blobs vs a raw GetObject on a client with the same settings (Swift + s3api, started by the trial)',
    file: 's3.js',
    steps: [{ key: 's3', args: { driver: 's3', rounds: 10, ops: 20, misses: 20 }, timeoutMs: 300_000 }],
    render(r, errors) {
      const cols = [COLS.name, { title: 'ms/op', align: 'r' }, COLS.spread, { title: '× raw', align: 'r' }, COLS.target];
      if (errors.s3) return { text: table(this.title, cols, [failedRow('s3', errors.s3, cols.length)]), targets: [] };
      const { hit, miss } = r.s3;
      const msOf = us => (us / 1000).toFixed(2);
      const x = hit.getAsync.us / hit.raw.us;
      const rows = [
        ['raw GetObject + read the body', msOf(hit.raw.us), pct(hit.raw.spread), ratio(1), ''],
        ['S3Blobs.getAsync (verified)', msOf(hit.getAsync.us), pct(hit.getAsync.spread), ratio(x), 'getAsync ≤ 1.2× raw'],
        ['S3Blobs.get (sync, through the worker bridge)', msOf(hit.syncGet.us), pct(hit.syncGet.spread), ratio(hit.syncGet.us / hit.raw.us), '(context)'],
        ['raw PutObject of a new blob', msOf(miss.rawPutUs), '', ratio(1), ''],
        ['S3Blobs.putAsync of a new blob (HEAD + PUT)', msOf(miss.putUs), '', ratio(miss.putUs / miss.rawPutUs), '(context)'],
        ['S3Blobs.putAsync of a stored blob (HEAD only)', msOf(miss.againUs), '', ratio(miss.againUs / miss.rawPutUs), '(context)'],
      ];
      return {
        text: table(this.title, cols, rows, [
          `hits: ${hit.raw.rounds} interleaved rounds × ${hit.raw.ops} gets of one object; the blob's SHA-256 is checked on every S3 read.`,
          `misses: ${miss.misses} new random blobs, one after another: ${miss.uploads} uploads; putting them again uploaded ${miss.reuploads}.`,
          `Swift started in ${(r.s3.swiftStartMs / 1000).toFixed(1)} s (single node, loopback).`,
        ]),
        targets: [target('s3', 'S3 blob hit (getAsync) ≤ 1.2× raw GetObject', x, x <= 1.2, ratio(x))],
      };
    },
  },

  {
    id: 'miss',
    title: 'miss: a marked fn with a trivial body, new args every call vs a raw autocommit INSERT (same schema + pragmas)',
    file: 'miss.js',
    steps: [{ key: 'miss', args: { rounds: 10, ops: 5_000 } }],
    render(r, errors) {
      const cols = [COLS.name, COLS.perOp, COLS.spread, { title: '× raw INSERT', align: 'r' }, COLS.target];
      if (errors.miss) return { text: table(this.title, cols, [failedRow('miss', errors.miss, cols.length)]), targets: [] };
      const m = r.miss;
      const floor = m['raw INSERT'].us;
      const rows = [
        ['raw INSERT (32-byte key + pre-encoded value)', m['raw INSERT'], ''],
        ['raw INSERT + codec.encode (context)', m['raw INSERT + encode'], ''],
        ['beautyspot: body + key + encode + insert', m.beautyspot, 'beautyspot ≤ 2× raw INSERT'],
      ].map(([name, v, goal]) => [name, us(v.us), pct(v.spread), ratio(v.us / floor), goal]);
      const x = m.beautyspot.us / floor;
      return {
        text: table(this.title, cols, rows, [
          `${m.beautyspot.rounds} interleaved rounds × ${count(m.beautyspot.ops)} ops per driver, each into its own fresh file; value ${m.valueBytes.toFixed(0)} B.`,
        ]),
        targets: [target('miss', 'miss ≤ 2× raw INSERT', x, x <= 2, ratio(x))],
      };
    },
  },

  {
    id: 'limit',
    title: 'limit: one rate-limit acquisition that does not wait (acquireSync), shared through the spot\'s SQLite file vs in process',
    file: 'limit.js',
    steps: [{ key: 'limit', args: { rounds: 10, ops: 20_000 } }],
    render(r, errors) {
      const cols = [{ title: 'state', align: 'l' }, COLS.perOp, COLS.spread, { title: '× memory', align: 'r' }, COLS.target];
      if (errors.limit) return { text: table(this.title, cols, [failedRow('limit', errors.limit, cols.length)]), targets: [] };
      const m = r.limit;
      const row = (name, v, base, goal = '') => [name, us(v.us), pct(v.spread), ratio(v.us / base.us), goal];
      const sqlite = m['sqlite: rpm'].us;
      return {
        text: table(this.title, cols, [
          row('MemoryLimitState: rpm (this process)', m['memory: rpm'], m['memory: rpm']),
          row('MemoryLimitState: rpm + tpm', m['memory: rpm + tpm'], m['memory: rpm + tpm']),
          row('SqliteLimitState: rpm (every process of the machine)', m['sqlite: rpm'], m['memory: rpm'], 'sqlite ≤ 50 µs'),
          row('SqliteLimitState: rpm + tpm', m['sqlite: rpm + tpm'], m['memory: rpm + tpm']),
        ], [
          `one process, ${m['sqlite: rpm'].rounds} interleaved rounds × ${count(m['sqlite: rpm'].ops)} acquisitions; the SQLite rows go through the spot's ` +
            'limiters on its own file (WAL, synchronous=NORMAL): one BEGIN IMMEDIATE, one upsert per bucket, COMMIT.',
        ]),
        targets: [target('limit', 'shared acquisition (SQLite, no wait) ≤ 50 µs', sqlite, sqlite <= 50, us(sqlite))],
      };
    },
  },

  {
    id: 'scale',
    title: `scale: beautyspot hit at ${count(SCALE_SMALL)} vs ${count(SCALE_MAX)} entries`,
    file: 'scale.js',
    steps: [SCALE_SMALL, SCALE_MAX].flatMap(size => [
      { key: `fill${size}`, args: { driver: 'fill', size, real: scaleReal(size) } },
      { key: `measure${size}`, args: { driver: 'measure', size, rounds: 10, ops: 20_000 } },
      { key: `aged${size}`, args: { driver: 'aged', size, rounds: 6, ops: 20_000 } },
    ]),
    render(r, errors) {
      const cols = [{ title: 'entries', align: 'r' }, { title: 'looked-up keys', align: 'r' }, { title: 'file', align: 'r' },
        { title: 'fill', align: 'r' }, { title: 'floor µs/op', align: 'r' }, { title: 'beautyspot µs/op', align: 'r' },
        { title: 'spread', align: 'r' }, { title: '× floor', align: 'r' }, { title: 'entries an hour old', align: 'r' },
        { title: '× its floor', align: 'r' }];
      const rows = [];
      for (const size of [SCALE_SMALL, SCALE_MAX]) {
        const fill = r[`fill${size}`];
        const m = r[`measure${size}`];
        const d = r[`aged${size}`];
        const error = errors[`fill${size}`] ?? errors[`measure${size}`];
        if (error) rows.push(failedRow(count(size), error, cols.length));
        else rows.push([count(size), count(m.real), formatBytes(fill.fileBytes), `${(fill.fillMs / 1000).toFixed(1)} s`, us(m.floor.us),
          us(m.beautyspot.us), pct(m.beautyspot.spread), ratio(m.beautyspot.us / m.floor.us),
          d ? us(d.beautyspot.us) : 'failed', d ? ratio(d.beautyspot.us / d.floor.us) : '-']);
      }
      const small = r[`measure${SCALE_SMALL}`];
      const large = r[`measure${SCALE_MAX}`];
      const targets = [];
      const notes = [
        `fill: the marked function for the looked-up keys, spread evenly among filler rows with random 32-byte keys (store.put), one transaction.`,
        'each size measured in a fresh process: floor + beautyspot interleaved, 10 rounds × 20,000 random hits.',
        'entries an hour old: another fresh process, 6 rounds, write times an hour back so first reads record their access; × its own interleaved floor.',
      ];
      if (small && large) {
        const x = large.beautyspot.us / small.beautyspot.us;
        const ds = r[`aged${SCALE_SMALL}`];
        const dl = r[`aged${SCALE_MAX}`];
        notes.push(`beautyspot at ${count(SCALE_MAX)} / at ${count(SCALE_SMALL)}: ${ratio(x)} (target ≤ 1.5×); floor: ${ratio(large.floor.us / small.floor.us)}` +
          (ds && dl ? `; entries an hour old: ${ratio(dl.beautyspot.us / ds.beautyspot.us)}.` : '.'));
        targets.push(target('scale', `hit at ${count(SCALE_MAX)} ≤ 1.5× hit at ${count(SCALE_SMALL)}`, x, x <= 1.5, ratio(x)));
      }
      return { text: table(this.title, cols, rows, notes), targets };
    },
  },

  {
    id: 'cold',
    title: 'cold start: import the runtime + serve the first hit in a fresh node process vs `node -e \'\'`',
    file: 'cold.js',
    steps: [
      { key: 'setup', args: { driver: 'setup' } },
      { key: 'run', args: { driver: 'run', spawns: 10 } },
    ],
    render(r, errors) {
      const cols = [{ title: 'process', align: 'l' }, { title: 'wall ms (median)', align: 'r' }, { title: 'min', align: 'r' },
        { title: 'max', align: 'r' }, COLS.target];
      const error = errors.setup ?? errors.run;
      if (error) return { text: table(this.title, cols, [failedRow('cold', error, cols.length)]), targets: [] };
      const m = r.run;
      const rows = [
        ["node -e ''", ms(m.bareMs), ms(Math.min(...m.bare)), ms(Math.max(...m.bare)), ''],
        ['node empty.js (an empty ES module, context)', ms(m.emptyMs), ms(Math.min(...m.empty)), ms(Math.max(...m.empty)), ''],
        ['node first-hit.js (import + first hit)', ms(m.firstHitMs), ms(Math.min(...m.first)), ms(Math.max(...m.first)), ''],
        ["added by beautyspot (vs node -e '')", ms(m.addedMs), ms(Math.min(...m.first) - Math.min(...m.bare)), '', 'adds ≤ 25 ms'],
      ];
      return {
        text: table(this.title, cols, rows, [
          `${m.spawns} spawns of each kind, in rotating order; the cache was filled by an earlier process.`,
          `inside the first-hit process (medians): import of the runtime + fixture ${ms(m.importMs)}, first hit (open SQLite, key, get, decode) ${ms(m.hitMs)}.`,
        ]),
        targets: [target('cold', 'cold start adds ≤ 25 ms', m.addedMs, m.addedMs <= 25, ms(m.addedMs))],
      };
    },
  },

  {
    id: 'key',
    title: 'key: computing the key of (string, number) arguments (informative)',
    file: 'key.js',
    steps: [{ key: 'key', args: { rounds: 10, ops: 20_000 } }],
    render(r, errors) {
      const cols = [{ title: 'method', align: 'l' }, COLS.perOp, COLS.spread, { title: '× reference', align: 'r' }];
      if (errors.key) return { text: table(this.title, cols, [failedRow('key', errors.key, cols.length)]), targets: [] };
      const { keyBytes, matches, ...m } = r.key;
      const ref = m['reference: sha256(msgpack Encoder.encode(args))'].us;
      const rows = Object.entries(m).map(([name, v]) => [name, us(v.us), pct(v.spread), ratio(v.us / ref)]);
      return {
        text: table(this.title, cols, rows, [
          `${m[Object.keys(m)[0]].rounds} interleaved rounds × ${count(m[Object.keys(m)[0]].ops)} keys; runtime key = ${keyBytes} bytes hashed; ` +
          `replica matches the stored key: ${matches ? 'yes' : 'no'}.`,
        ]),
        targets: [],
      };
    },
  },

  {
    id: 'compiled',
    title: `compiled hit: a \`/** @mark */\` (string, number) fn through compiler-generated key code, random keys among ${count(ENTRIES)} entries`,
    file: 'compiled-hit.js',
    steps: [
      { key: 'setup', args: { driver: 'setup', entries: ENTRIES } },
      { key: 'measure', args: { driver: 'measure', rounds: 10, ops: 20_000 } },
    ],
    render(r, errors) {
      const cols = [COLS.name, COLS.entries, COLS.perOp, COLS.spread, { title: '× floor', align: 'r' },
        { title: '× compiled', align: 'r' }, COLS.target];
      const error = errors.setup ?? errors.measure;
      if (error) return { text: table(this.title, cols, [failedRow('compiled', error, cols.length)]), targets: [] };
      const m = r.measure;
      const row = (name, v, goal = '') => [name, count(m.real), us(v.us), pct(v.spread), ratio(v.us / m.floor.us), ratio(v.us / m.compiled.us), goal];
      const x = m.compiled.us / m.floor.us;
      const writer = r.setup.writer.replace(/\s*\n\s*/g, ' ');
      return {
        text: table(this.title, cols, [
          row('floor: better-sqlite3 get + codec.decode', m.floor),
          row('compiled: markCompiled, generated writeArgs', m.compiled, 'compiled ≤ 1.2× floor'),
          row('runtime-marked: spot.mark, dynamic key', m.marked, '(comparison)'),
        ], [
          'µs/op: median over rounds; spread: ±half the range of the rounds around the median.',
          `one process, ${m.floor.rounds} interleaved rounds × ${count(m.floor.ops)} ops, same file, same rows, same random keys: both marked functions ` +
            'are keyed as id "item" with codeHash=false (the code hash only changes the prefix computed on the first call).',
          `compile: BeautyspotContext.transform of lookup.ts in ${ms(r.setup.transformMs)} (a fresh context: creates the ts-morph project), ` +
            `then ts.transpileModule; generated writeArgs: ${writer}`,
          `fixture: ${count(r.setup.rows)} entries filled through the compiled function in one transaction in ${(r.setup.fillMs / 1000).toFixed(1)} s; ` +
            `value ${r.setup.valueBytes.toFixed(0)} B msgpack.`,
        ]),
        targets: [target('compiled', 'compiled hit ≤ 1.2× floor', x, x <= 1.2, ratio(x))],
      };
    },
  },

  {
    id: 'keygen',
    title: 'keygen: the key of one interface-typed argument (10 fields, 2 of them objects of 4 fields): generated vs dynamic vs object-hash',
    file: 'keygen.js',
    steps: [{ key: 'keygen', args: { rounds: 10, ops: 5_000 } }],
    render(r, errors) {
      const cols = [{ title: 'method', align: 'l' }, COLS.perOp, COLS.spread, { title: '× generated', align: 'r' }, COLS.target];
      if (errors.keygen) return { text: table(this.title, cols, [failedRow('keygen', errors.keygen, cols.length)]), targets: [] };
      const m = r.keygen;
      const gen = m.generated.us;
      const row = (name, v, goal = '') => [name, us(v.us), pct(v.spread), ratio(v.us / gen), goal];
      const dyn = m.dynamic.us / gen;
      const oh = m.objectHash.us / gen;
      return {
        text: table(this.title, cols, [
          row('generated: compiled writeArgs + sha256 digest', m.generated),
          row('runtime: KeyWriter + writeDynamic + digest', m.dynamic, 'dynamic ≥ 3× generated'),
          row('object-hash 3, default options (sha1, hex)', m.objectHash, 'object-hash ≥ 15× generated'),
          row("object-hash 3, { algorithm: 'sha256' }", m.objectHashSha256, '(informative)'),
          row(`sha256 alone of the ${m.keyBytes} key bytes`, m.sha256, '(informative)'),
          row('generated writeArgs alone (the bytes, no digest)', m.generatedWrite, '(informative)'),
          row('runtime writeDynamic alone (the bytes, no digest)', m.dynamicWrite,
            `(informative: ${ratio(m.dynamicWrite.us / m.generatedWrite.us)} the generated writer)`),
        ], [
          `${m.generated.rounds} interleaved rounds × ${count(m.generated.ops)} keys over a pool of 1,024 distinct objects (${m.fields} fields each).`,
          `generated writer: emitKeyCode on the plan of the real transform (identical to the transformed module's text, ${m.writerLines} lines); ` +
            'its key equals the key the compiled module stored; ' +
            `the dynamic encoder writes the same bytes: ${m.sameAsDynamic ? 'yes' : 'no'}.`,
          'object-hash is measured with its default algorithm (sha1); its sha256 row shows the algorithm is not what it spends its time on.',
          'both keys end in the same SHA-256 of the same bytes, which neither side can skip: it bounds the ratio of the whole keys.',
        ]),
        targets: [
          target('keygen', 'generated key ≥ 3× faster than dynamic', dyn, dyn >= 3, ratio(dyn)),
          target('keygen', 'generated key ≥ 15× faster than object-hash', oh, oh >= 15, ratio(oh)),
        ],
      };
    },
  },

  {
    id: 'memory',
    title: `memory: a (string, number) call repeated within one process, random keys among ${count(MEMORY_ENTRIES)} arguments, memory: ${count(MEMORY_ENTRIES)}`,
    file: 'memory.js',
    steps: [
      { key: 'sync', args: { driver: 'sync', entries: MEMORY_ENTRIES, rounds: 10, ops: 20_000 } },
      { key: 'async', args: { driver: 'async', entries: MEMORY_ENTRIES, rounds: 10, ops: 20_000 } },
      { key: 'fresh', args: { driver: 'fresh', entries: MEMORY_ENTRIES, rounds: 10, ops: 20_000 } },
    ],
    render(r, errors) {
      const cols = [COLS.name, COLS.perOp, COLS.spread, { title: '× Map memo', align: 'r' }, COLS.target];
      const map = r.sync?.map?.us;
      const row = (name, v, goal = '') => [name, us(v.us), pct(v.spread), ratio(v.us / map), goal];
      const rows = [];
      if (errors.sync) rows.push(failedRow('sync', errors.sync, cols.length));
      else {
        rows.push(row('beautyspot memory: N, sync', r.sync.memory, 'memory ≤ 3× Map memo'));
        rows.push(row('beautyspot without memory: a SQLite hit', r.sync.sqlite, '(comparison)'));
        rows.push(row('Map + JSON.stringify memo (shared instances)', r.sync.map));
      }
      if (errors.fresh) rows.push(failedRow('fresh', errors.fresh, cols.length));
      else if (map) {
        rows.push(row('fresh value: the tier\'s copy of plain data', r.fresh.copy, '(chosen for plain data)'));
        rows.push(row(`fresh value: codec.decode of the bytes (${r.fresh.valueBytes} B)`, r.fresh.decode, '(chosen for other values)'));
        rows.push(row('fresh value: structuredClone', r.fresh.clone, '(not chosen: loses classes)'));
      }
      if (errors.async) rows.push(failedRow('async', errors.async, cols.length));
      else if (map) {
        rows.push(row('beautyspot memory: N, async (awaited)', r.async.memory, '(comparison)'));
        rows.push(row('p-memoize 8, JSON.stringify key (awaited)', r.async.pmemoize, '(comparison)'));
      }
      const x = r.sync ? r.sync.memory.us / map : NaN;
      return {
        text: table(this.title, cols, rows, [
          'µs/op: median over rounds; spread: ±half the range of the rounds around the median.',
          'one process per group, its loops interleaved in rounds: sync (memory, SQLite hit, Map memo), async (memory, p-memoize), ' +
            'fresh values (copy, decode, structuredClone); the same random arguments for each; every memory-tier hit returns a fresh value, ' +
            'the memos return the stored instance.',
          r.sync ? `every timed call a hit: ${count(r.sync.hits)} hits, ${r.sync.misses} misses in the spot.` : '',
        ].filter(Boolean)),
        targets: r.sync ? [target('memory', 'memory hit ≤ 3× Map + JSON.stringify memo', x, x <= 3, ratio(x))] : [],
      };
    },
  },

  {
    id: 'vite',
    title: `vite build: a generated ${VITE_MODULES}-module TS project, vite 8 SSR build in a fresh process, with and without the beautyspot plugin`,
    file: 'vite-build.js',
    steps: [{ key: 'vite', args: { modules: VITE_MODULES, markedCount: 10, rounds: 5 }, timeoutMs: 900_000 }],
    render(r, errors) {
      const cols = [{ title: 'project', align: 'l' }, { title: 'plugin', align: 'l' }, { title: 'build ms', align: 'r' },
        { title: 'min', align: 'r' }, { title: 'max', align: 'r' }, { title: '× no plugin', align: 'r' },
        { title: 'process ms', align: 'r' }, { title: 'plugin import', align: 'r' }, { title: 'transforms', align: 'r' },
        { title: 'TS loaded', align: 'r' }, COLS.target];
      if (errors.vite) return { text: table(this.title, cols, [failedRow('vite', errors.vite, cols.length)]), targets: [] };
      const m = r.vite;
      const rows = [];
      const targets = [];
      const variants = [
        // Cold without the service loads the compiler in the build: shown, with no target (the service is the cold path).
        ['A', `A: ${m.marked.length} marked fns`, 1.5, [['A-cold', 'with, cold cache', 'cold plugin cache', null], ['A-warm', 'with, warm cache', 'warm plugin cache'],
          ['A-cold-service', 'with, cold cache, service warm', 'cold plugin cache, service warm', 2]]],
        ['B', 'B: no annotation', 1.05, [['B-on', 'with', '']]],
      ];
      for (const [variant, label, limit, withRows] of variants) {
        const off = m[`${variant}-off`];
        rows.push([label, 'without', ms(off.buildMs), ms(off.min), ms(off.max), '', ms(off.processMs), '', '', '', '']);
        for (const [key, plugin, cache, rowLimit = limit] of withRows) {
          const on = m[key];
          const x = on.buildMs / off.buildMs;
          rows.push(['', plugin, ms(on.buildMs), ms(on.min), ms(on.max), ratio(x), ms(on.processMs), ms(on.pluginImportMs),
            `${on.rewrites}/${on.transformCalls}`, `${on.compilerLoads}/${m.rounds}`, rowLimit === null ? '(informative)' : `with ≤ ${rowLimit}× without`]);
          if (rowLimit !== null) targets.push(target('vite', `${label}${cache ? `, ${cache}` : ''}: build with plugin ≤ ${rowLimit}× without`, x, x <= rowLimit, ratio(x)));
        }
      }
      const cold = m['A-cold'];
      const warm = m['A-warm'];
      return {
        text: table(this.title, cols, rows, [
          `${m.modules} modules in a tree of imports (+ main, types, util: ${m.files} files); variant A marks one (Settings, string, FilePath) ` +
            `function in modules ${m.marked.join(', ')}; B is the same project with those annotations removed. Each project is a package of ` +
            'its own (package.json, beautyspot installed in node_modules as npm installs it: package.json and dist/), so the plugin caches in ' +
            'its node_modules/.cache/beautyspot and the SSR build keeps beautyspot/runtime external, as in a user\'s project.',
          `build ms: median of ${m.rounds} runs per row (interleaved, rotating order, one warm-up round) of plugin import + vite build() ` +
            `inside the process (vite's own import excluded: ~${ms(cold.viteImportMs)}); process ms: spawn to exit.`,
          'cold cache: the project\'s beautyspot cache removed before each build; warm cache: the one the previous build of A with the plugin ' +
            'left (same sources), as in a rebuild of unchanged code. The compile service is off except in "service warm": a cold cache, and ' +
            'the service the warm-up round started (its program built), which the plugin asks instead of loading the compiler.',
          'transforms: calls that rewrote a file / calls of the plugin\'s transform handler (the hook filter skips files without the annotation ' +
            `hint; the other ${cold.transformCalls - cold.rewrites} are runtime files that only match it); TS loaded: builds whose process loaded ts-morph.`,
          `A, cold (medians): the first rewrite ${ms(cold.firstTransformMs)} (loads the compiler, creates the ts-morph project and program), ` +
            `the other ${cold.rewrites - 1} ${ms(cold.otherTransformsMs)} summed (the calls overlap); ts-morph projects created per build: ` +
            `${cold.projectsCreated}${cold.projectsCreated > 1 ? ' (one is expected)' : ''}.`,
          `A, warm (medians): the first rewrite ${ms(warm.firstTransformMs)}, the other ${warm.rewrites - 1} ${ms(warm.otherTransformsMs)} summed; ` +
            `output ${formatBytes(cold.outputBytes)} (beautyspot/runtime ${cold.runtimeBundled ? 'bundled' : 'external'}) vs ${formatBytes(m['A-off'].outputBytes)}.`,
        ]),
        targets,
      };
    },
  },

  {
    id: 'dev',
    title: `dev re-transform: one module edited in a vite 8 dev server (SSR transformRequest), a ${DEV_MODULES}-module TS project, with and without the beautyspot plugin`,
    file: 'retransform.js',
    steps: [{ key: 'dev', args: { modules: DEV_MODULES, markedCount: 4, rounds: 30 }, timeoutMs: 600_000 }],
    render(r, errors) {
      const cols = [{ title: 'server', align: 'l' }, { title: 'edited module', align: 'l' }, { title: 'ms (median)', align: 'r' },
        { title: 'min', align: 'r' }, { title: 'max', align: 'r' }, { title: '× without plugin', align: 'r' },
        { title: 'rewrites', align: 'r' }, COLS.target];
      if (errors.dev) return { text: table(this.title, cols, [failedRow('dev', errors.dev, cols.length)]), targets: [] };
      const m = r.dev;
      const row = (server, module, name, goal = '') => [server, module, ms(m[name].ms), ms(m[name].min), ms(m[name].max),
        ratio(m[name].ms / m.plain.ms), `${m.stats[name].rewrites}/${m.stats[name].edits}`, goal];
      const x = m.plugin.ms / m.plain.ms;
      const edits = Object.values(m.stats).reduce((n, s) => n + s.edits, 0);
      const byWatcher = Object.values(m.stats).reduce((n, s) => n + s.byWatcher, 0);
      const missed = Object.values(m.stats).reduce((n, s) => n + s.missedEvents, 0);
      return {
        text: table(this.title, cols, [
          row('without plugin (vite\'s TS transform)', `annotated (${m.files.annotated})`, 'plain'),
          row('with the beautyspot plugin', `annotated (${m.files.annotated})`, 'plugin', 'with ≤ 100 ms and ≤ 3× without'),
          row('with the beautyspot plugin', `no annotation (${m.files.unannotated})`, 'unannotated', '(context)'),
        ], [
          `${m.plugin.rounds} interleaved rounds (rotating order, one warm-up round) per row, one edit + one timed transformRequest each; ` +
            'each server on its own copy of the project (marked fns in modules ' + `${m.marked.join(', ')}); the compile service off ` +
            '(a dev server\'s warm compiler compiles in-process).',
          'each edit (untimed): the module\'s BASE constant, which the marked fn\'s code hash covers, set to a value never used before; ' +
            `written ≥ ${m.gapMs} ms after its file's previous change event (chokidar drops closer ones), the watcher's change event awaited ` +
            `(+${m.settleMs} ms for vite's handler: invalidation, the plugin's watchChange); the module invalidated ` +
            `in the SSR module graph. The watcher had invalidated it for ${byWatcher} of ${edits} edits${missed ? `; ${missed} change events missed` : ''}.`,
          `rewrites: edits the plugin rewrote / edits (warm-up included); every rewrite of the annotated module was a real recompute: ` +
            `${m.stats.plugin.cacheWrites} new disk-cache entries for ${m.stats.plugin.edits} edits, one ts-morph project in the process (${m.projectsCreated} created).`,
          `first transform of each module (before the rounds): with the plugin ${ms(m.firstMs.plugin)} (loads the compiler, creates the project), ` +
            `without ${ms(m.firstMs.plain)}, unannotated with the plugin ${ms(m.firstMs.unannotated)}.`,
        ]),
        targets: [
          target('dev', 're-transform of an annotated module with the plugin ≤ 100 ms', m.plugin.ms, m.plugin.ms <= 100, ms(m.plugin.ms)),
          target('dev', 're-transform with the plugin ≤ 3× without type analysis', x, x <= 3, ratio(x)),
        ],
      };
    },
  },

  {
    id: 'run',
    title: 'run: start-up of `beautyspot run script.ts` (one marked fn, served from the cache) vs `node --import tsx script.ts` and `node -e \'\'`',
    file: 'run-startup.js',
    steps: [{ key: 'run', args: { spawns: 15 }, timeoutMs: 600_000 }],
    render(r, errors) {
      const cols = [{ title: 'process', align: 'l' }, { title: 'wall ms (median)', align: 'r' }, { title: 'min', align: 'r' },
        { title: 'max', align: 'r' }, { title: '× tsx', align: 'r' }, COLS.target];
      if (errors.run) return { text: table(this.title, cols, [failedRow('run', errors.run, cols.length)]), targets: [] };
      const m = r.run;
      const row = (name, v, goal = '') => [name, ms(v.ms), ms(v.min), ms(v.max), ratio(v.ms / m.tsx.ms), goal];
      const x = m.warm.ms / m.tsx.ms;
      const added = m.warm.ms - m.bare.ms;
      return {
        text: table(this.title, cols, [
          row("node -e ''", m.bare),
          row('node --import tsx script.ts (the body runs)', m.tsx),
          row('beautyspot run script.ts, warm compile cache, a hit', m.warm, 'warm ≤ 1.5× tsx'),
          row('beautyspot run script.ts, cold compile cache, a hit', m.cold, '(informative)'),
          row('beautyspot run after an edit of the script (compile cache cold for it, service warm), a hit', m.edited, 'edited ≤ 1.5× tsx'),
          ["warm run added over node -e ''", ms(added), ms(m.warm.min - m.bare.min), '', '', 'adds ≤ 60 ms'],
        ], [
          `${m.spawns} spawns of each kind in rotating order after one warm-up round; the script lives under <repo>/.tmp/ in a package of its own; ` +
            'BEAUTYSPOT_DIR points at a spot an earlier run filled (every beautyspot run serves the call without running the body, checked).',
          'warm: the loader takes the compiled script from node_modules/.cache/beautyspot/loader (checked once with its debug log) and never ' +
            'loads the compiler; cold: that cache removed before each run, so the loader loads ts-morph and compiles the script.',
          'The compile service is off (BEAUTYSPOT_COMPILE_SERVICE=0) except for the edit row: a copy of the script gets a new comment line ' +
            'before each run, so its compile cache misses and the loader asks the warm service (checked once with its debug log).',
        ]),
        targets: [
          target('run', 'beautyspot run (warm) ≤ 1.5× node --import tsx', x, x <= 1.5, ratio(x)),
          target('run', 'beautyspot run after an edit, service warm ≤ 1.5× node --import tsx', m.edited.ms / m.tsx.ms, m.edited.ms / m.tsx.ms <= 1.5, ratio(m.edited.ms / m.tsx.ms)),
          target('run', "beautyspot run (warm) adds ≤ 60 ms over node -e ''", added, added <= 60, ms(added)),
        ],
      };
    },
  },
  {
    id: 'ui',
    title: `ui: the dashboard's JSON API on a ${count(UI_ENTRIES)}-entry cache, through real HTTP requests to the built server`,
    file: 'ui.js',
    steps: [
      { key: 'fill', args: { driver: 'fill', entries: UI_ENTRIES }, timeoutMs: 600_000 },
      { key: 'measure', args: { driver: 'measure', rounds: 5 }, timeoutMs: 900_000 },
    ],
    render(r, errors) {
      const cols = [{ title: 'request', align: 'l' }, { title: 'matches', align: 'r' }, { title: 'ms (median)', align: 'r' },
        { title: 'max', align: 'r' }, COLS.target];
      const failed = errors.fill ?? errors.measure;
      if (failed) return { text: table(this.title, cols, [failedRow('ui', failed, cols.length)]), targets: [] };
      const { fill, measure: m } = r;
      const rows = Object.entries(m.queries).map(([name, q]) => [name, q.total === undefined ? '' : count(q.total), ms(q.ms), ms(q.max), `≤ ${UI_TARGET_MS} ms`]);
      const targets = Object.entries(m.queries).map(([name, q]) => target('ui', `${name} ≤ ${UI_TARGET_MS} ms`, q.ms, q.ms <= UI_TARGET_MS, ms(q.ms)));
      return {
        text: table(this.title, cols, rows, [
          `fill: ${count(fill.entries)} rows inserted in one transaction into a file the runtime created (secondary indexes built after), ` +
            `${(fill.fillMs / 1000).toFixed(1)} s, file ${formatBytes(fill.fileBytes)}; 20 functions, a tag on one entry in ten, written over 90 days.`,
          `a fresh process starts the server (${ms(m.startMs)}) and asks once for the first page (${ms(m.firstPageMs)}, cold); then ${m.rounds} rounds of every ` +
            'request, each a fetch with the token header, timed from request to parsed JSON.',
        ]),
        targets,
      };
    },
  },
];

async function runOne(trial, dir) {
  const results = {};
  const errors = {};
  for (const step of trial.steps) {
    // A step whose setup failed is skipped (its measurement would be of nothing).
    if (step.args.driver !== 'setup' && errors.setup) {
      errors[step.key] = new Error('setup failed');
      continue;
    }
    if ((step.args.driver === 'measure' || step.args.driver === 'aged') && errors[`fill${step.args.size}`]) {
      errors[step.key] = new Error('fill failed');
      continue;
    }
    const stepDir = step.sub ? join(dir, step.sub) : dir;
    mkdirSync(stepDir, { recursive: true });
    const started = performance.now();
    process.stderr.write(`  ${trial.id}: ${step.key}…`);
    try {
      results[step.key] = await runTrial(trial.file, { ...step.args, dir: stepDir }, { timeoutMs: step.timeoutMs });
      process.stderr.write(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      errors[step.key] = error;
      process.stderr.write(` failed\n    ${error.message}\n`);
    }
  }
  return trial.render(results, errors);
}

async function main() {
  const only = process.env.BENCH_ONLY?.split(',').map(s => s.trim()).filter(Boolean);
  const trials = only ? TRIALS.filter(t => only.includes(t.id)) : TRIALS;
  if (only && trials.length !== only.length) {
    throw new Error(`BENCH_ONLY: unknown trial in ${only.join(',')}; trials: ${TRIALS.map(t => t.id).join(', ')}`);
  }
  console.log(header([
    `runtime: ${RUNTIME_PATH}`,
    `fixture: BENCH_ENTRIES=${count(ENTRIES)}, BENCH_SCALE_MAX=${count(SCALE_MAX)}; every measurement in a fresh node process`,
  ]));
  const tmp = mkdtempSync(join(os.tmpdir(), 'beautyspot-bench-'));
  const cleanup = () => rmSync(tmp, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  const started = performance.now();
  const targets = [];
  try {
    for (const trial of trials) {
      const dir = join(tmp, trial.id);
      const { text, targets: found } = await runOne(trial, dir);
      console.log(text);
      targets.push(...found);
      const removing = performance.now();
      rmSync(dir, { recursive: true, force: true });
      process.stderr.write(`  ${trial.id}: removed its temp files in ${((performance.now() - removing) / 1000).toFixed(1)} s\n`);
    }
  } finally {
    cleanup();
  }
  const rows = targets.map(t => [t.trial, t.text, t.shown, t.pass ? 'PASS' : 'MISS']);
  console.log(table('targets', [{ title: 'trial', align: 'l' }, { title: 'target', align: 'l' }, { title: 'measured', align: 'r' },
    { title: 'result', align: 'l' }], rows, [
    `${targets.filter(t => t.pass).length} of ${targets.length} targets met; total time ${((performance.now() - started) / 1000).toFixed(0)} s.`,
    'A report, not a test: the exit code does not depend on the targets.',
  ]));
}

main().catch(error => {
  console.error(error?.stack ?? error);
  process.exit(1);
});
