import Database from 'better-sqlite3';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seeded, type Rand } from '../helpers/arbitraries.js';
import { blobFiles, execOn, garbleStart, scribble, sha256Of, truncateToFraction } from '../helpers/damage.js';
import { expectRightValues, runFaultChild, startFaultChild, type CallOutcome } from '../helpers/fault-child.js';
import { killLeftovers } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';
import { reliabilityDb } from '../helpers/verify-cache.js';

/** The base cache holds workload calls 0..CALLS-1 (3/8 of them blobs), cleanly closed. */
const CALLS = 48;
/** The WAL cases add calls CALLS..CALLS+HELD-1 from a writer killed before it checkpoints. */
const HELD = 24;

const totals = { cases: 0, runs: 0, calls: 0, wrong: 0, throws: 0, recomputes: 0, movedAside: 0, secondRunRecomputes: 0, thirdRuns: 0 };
let base: string;

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'bs-corruption-base-'));
  const filled = await runFaultChild({ dir: base, from: 0, to: CALLS }, 'filling the base cache');
  expectRightValues(filled, 'filling the base cache');
  expect(filled.stored).toHaveLength(CALLS);
}, 60_000);

afterAll(() => {
  killLeftovers();
  rmSync(base, { recursive: true, force: true });
  console.log(`corruption: ${totals.cases} cases, ${totals.runs} fresh processes, ${totals.calls} calls, ${totals.wrong} wrong values, ` +
    `${totals.throws} throws, ${totals.recomputes} recomputes on damaged caches, ${totals.movedAside} files moved aside, ` +
    `${totals.secondRunRecomputes} recomputes in second runs (entries set aside with a file found damaged midway), ${totals.thirdRuns} third runs`);
});

interface Case {
  name: string;
  /** Damages the copy of the base cache in `dir`; `rand` is seeded by `seed`. */
  damage: (dir: string, rand: Rand) => void | Promise<void>;
  seed?: number;
  /** The workload calls of the runs (more than the base's when the damage added some). */
  calls?: number;
  /** The first run must warn: the damage cannot go unseen. */
  noticed: boolean;
  /** The cache stays unused and untouched (a newer schema). */
  untouched?: boolean;
}

const file = (dir: string): string => reliabilityDb(dir);
const blobsOf = (dir: string): string[] => blobFiles(join(dir, 'reliability.blobs'));
const everyOther = <T>(items: T[]): T[] => items.filter((_, i) => i % 2 === 0);

/** Calls CALLS..CALLS+HELD-1 from a writer that is killed once they are committed: they are in the -wal file only. */
async function leaveWal(dir: string): Promise<void> {
  let ready = false;
  const writer = startFaultChild({ action: 'hold', dir, from: CALLS, to: CALLS + HELD }, {
    onLine: line => {
      if (line !== 'ready') return;
      ready = true;
      writer.process.kill('SIGKILL');
    },
  });
  const result = await writer.result;
  expect(ready && result.signal === 'SIGKILL', `the WAL writer was not killed while holding the cache (${result.stderr})`).toBe(true);
  expect(statSync(`${file(dir)}-wal`).size).toBeGreaterThan(32);
}

/** Sets `sql` on the rows whose id is in `ids` (SQLite values the runtime never writes). */
function setOnRows(dir: string, assignments: string[]): void {
  const db = new Database(file(dir));
  try {
    const ids = db.prepare('SELECT id FROM entries WHERE value IS NOT NULL ORDER BY id').pluck().all() as number[];
    assignments.forEach((assignment, i) => db.prepare(`UPDATE entries SET ${assignment} WHERE id = ?`).run(ids[i * 3]!));
  } finally {
    db.close();
  }
}

const CASES: Case[] = [
  ...[1, 2, 3, 4, 5, 6].map(seed => ({
    name: `random bytes over the database file, seed ${seed}`,
    damage: (dir: string, rand: Rand) => scribble(file(dir), rand, 8),
    seed,
    noticed: false,
  })),
  { name: 'a garbage header', damage: (dir, rand) => garbleStart(file(dir), rand, 100), noticed: true },
  { name: 'the file truncated to half', damage: dir => truncateToFraction(file(dir), 0.5), noticed: true },
  { name: 'the file truncated to one page and a bit', damage: dir => truncateSync(file(dir), 4096 + 1000), noticed: true },
  ...[1, 2].map(seed => ({
    name: `random bytes over the -wal file of a killed writer, seed ${seed}`,
    damage: async (dir: string, rand: Rand) => {
      await leaveWal(dir);
      scribble(`${file(dir)}-wal`, rand, 4, 32);
    },
    seed,
    calls: CALLS + HELD,
    noticed: false,
  })),
  {
    name: 'a garbage -wal header of a killed writer',
    damage: async (dir, rand) => {
      await leaveWal(dir);
      garbleStart(`${file(dir)}-wal`, rand, 32);
    },
    calls: CALLS + HELD,
    noticed: false,
  },
  {
    name: 'blobs with a changed byte',
    damage: dir => {
      for (const blob of everyOther(blobsOf(dir))) {
        const bytes = readFileSync(blob);
        bytes[bytes.length >> 1] ^= 0x01;
        writeFileSync(blob, bytes);
      }
    },
    noticed: true,
  },
  { name: 'truncated blobs', damage: dir => everyOther(blobsOf(dir)).forEach(blob => truncateToFraction(blob, 0.5)), noticed: true },
  { name: 'missing blobs', damage: dir => everyOther(blobsOf(dir)).forEach(blob => rmSync(blob)), noticed: true },
  {
    name: 'blobs replaced by directories',
    damage: dir => everyOther(blobsOf(dir)).forEach(blob => {
      rmSync(blob);
      mkdirSync(join(blob, 'inside'), { recursive: true });
    }),
    noticed: true,
  },
  {
    name: 'rows with text, a number or NULL in the value column',
    damage: dir => setOnRows(dir, ["value = 'not msgpack'", 'value = 12345', 'value = NULL', "value = ''"]),
    noticed: true,
  },
  { name: 'rows with a NULL or text checksum', damage: dir => setOnRows(dir, ['checksum = NULL', "checksum = 'abc'"]), noticed: true },
  {
    name: 'rows with huge numbers',
    damage: dir => setOnRows(dir, [
      'flags = 9223372036854775807',
      'expires_at = 9223372036854775807',
      'checksum = 9223372036854775807',
      'compute_ms = 1e308, size = 9223372036854775807',
      'created_at = -9223372036854775808',
      'id = 9223372036854775807, created_at = 0',
    ]),
    noticed: true,
  },
  {
    name: 'a newer schema version',
    damage: dir => execOn(file(dir), 'PRAGMA user_version = 5'),
    noticed: true,
    untouched: true,
  },
  { name: 'the entries table dropped', damage: dir => execOn(file(dir), 'DROP TABLE entries'), noticed: true },
  { name: 'the access table dropped', damage: dir => execOn(file(dir), 'DROP TABLE access'), noticed: true },
];

/** Hits recorded in the file (fn_stats), read with a connection of our own. */
function recordedHits(dir: string): number {
  const db = new Database(file(dir), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT coalesce(sum(hits), 0) FROM fn_stats').pluck().get() as number;
  } finally {
    db.close();
  }
}

function count(outcome: CallOutcome): void {
  totals.runs++;
  totals.calls += outcome.calls;
  totals.wrong += outcome.wrong.length;
  totals.throws += outcome.throws.length;
}

const ranOf = (outcome: CallOutcome): number[] => [...outcome.stored, ...outcome.notStored];

/**
 * Calls of a first run whose results may be gone by the second: those not stored, and when the file was
 * found damaged midway and set aside, every call up to then (its hits and writes went with the file).
 */
function setAsideIn(first: CallOutcome): Set<number> {
  const replacedAt = Math.max(0, ...first.events.filter(e => e.kind === 'open').map(e => e.at));
  return new Set([...first.notStored, ...Array.from({ length: replacedAt }, (_, id) => id)]);
}

it.each(CASES)('$name: every value is right at once, and the next run is healthy', async ({ name, damage, seed = 1, calls = CALLS, noticed, untouched }) => {
  const dir = tempDir('bs-corruption-');
  cpSync(base, dir, { recursive: true });
  await damage(dir, seeded(seed));
  const digest = untouched ? sha256Of(file(dir)) : undefined;
  totals.cases++;

  const first = await runFaultChild({ dir, from: 0, to: calls }, `${name}, first run`);
  count(first);
  totals.recomputes += ranOf(first).length;
  expectRightValues(first, `${name}, first run`);
  expect(first.calls).toBe(calls);
  if (noticed) expect(first.warnings.length, `${name}: the damage went unnoticed`).toBeGreaterThan(0);
  for (const warning of first.warnings) expect(warning).toMatch(/^\[beautyspot\] /);
  totals.movedAside += readdirSync(dir).filter(f => f.includes('.damaged-')).length;

  const hitsBefore = untouched ? 0 : recordedHits(dir);
  const second = await runFaultChild({ dir, from: 0, to: calls }, `${name}, second run`);
  count(second);
  expectRightValues(second, `${name}, second run`);
  if (untouched) {
    expect(second.hits, `${name}: an uncached spot hit`).toEqual([]);
    expect(second.notStored).toHaveLength(calls);
    expect(second.warnings).toEqual([expect.stringMatching(/^\[beautyspot\] spot "reliability": .*reliability\.sqlite has schema version 5, newer than this beautyspot understands \(4\); calls run uncached\. Upgrade beautyspot, or point the spot at another directory\.$/)]);
    expect(sha256Of(file(dir)), `${name}: the file was modified`).toBe(digest);
    expect(readdirSync(dir).filter(f => f.includes('.damaged-'))).toEqual([]);
    return;
  }
  expect(second.warnings, `${name}: the second run warned`).toEqual([]);
  expect(second.events).toEqual([]);
  expect(second.notStored).toEqual([]);
  const allowed = setAsideIn(first);
  expect(second.stored.filter(id => !allowed.has(id)), `${name}: stored by the first run, recomputed by the second`).toEqual([]);
  expect(recordedHits(dir) - hitsBefore, `${name}: hits of the second run not recorded`).toBe(second.hits.length);
  totals.secondRunRecomputes += second.stored.length;
  if (second.stored.length === 0) return;

  const third = await runFaultChild({ dir, from: 0, to: calls }, `${name}, third run`);
  count(third);
  totals.thirdRuns++;
  expectRightValues(third, `${name}, third run`);
  expect(third.warnings).toEqual([]);
  expect(third.hits, `${name}: the third run recomputed`).toHaveLength(calls);
}, 60_000);
