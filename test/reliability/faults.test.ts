import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { blobFiles, sha256Of } from '../helpers/damage.js';
import { expectRightValues, outcomeOf, runFaultChild, startFaultChild, type CallOutcome, type FaultJob } from '../helpers/fault-child.js';
import { killLeftovers } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';
import { reliabilityDb } from '../helpers/verify-cache.js';

const NOBODY = 65534;
const IS_ROOT = process.getuid?.() === 0;
/** Workload calls stored before each fault, and calls after them that are misses. */
const STORED = 24;
const MISSES = 8;
/** The small filesystem of the full-disk cases, and how much the last run gets back. */
const TMPFS_SIZE = '2m';
const TMPFS_FREED = '16m';
/**
 * Without the rights to mount, a file-size limit stands in for the full disk (BEAUTYSPOT_FAULTS_DISK=fsize picks it
 * anyway). Its limit for the midway case, in bytes: blobs (70 kB) never fit, the -wal file fills after some rows.
 */
const FSIZE_MIDWAY = 64 * 1024;

const figures: string[] = [];

afterAll(() => {
  killLeftovers();
  console.log(`faults: ${figures.join('; ')}`);
});

/** A test that lacks a facility fails when CI is set (CI must run every fault), else it is skipped, saying why. */
function requireFacility(missing: string | undefined, skip: (note: string) => void): void {
  if (missing === undefined) return;
  if (process.env.CI) throw new Error(`[faults] this test needs ${missing} (CI runs every fault test)`);
  console.log(`faults: skipped, it needs ${missing}`);
  skip(missing);
}

/** A cache of calls 0..STORED-1, each asserted stored. */
async function filled(dir: string, what: string): Promise<void> {
  const fill = await runFaultChild({ dir, from: 0, to: STORED }, what);
  expectRightValues(fill, what);
  expect(fill.stored, what).toHaveLength(STORED);
}

const ids = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

// ---------------------------------------------------------------------------------------------------------
// A read-only cache directory

let nobodyCheck: Promise<string | undefined> | undefined;

/** Why the reader cannot run as uid 65534 (undefined when it can): it must read dist/ and node_modules. */
function cannotRunAsNobody(): Promise<string | undefined> {
  return (nobodyCheck ??= checkNobody());
}

async function checkNobody(): Promise<string | undefined> {
  if (!IS_ROOT) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'bs-nobody-'));
  try {
    chmodSync(dir, 0o777);
    const child = await startFaultChild({ dir: join(dir, 'cache'), from: 0, to: 1, uid: NOBODY }).result;
    return child.code === 0 ? undefined : `uid ${NOBODY} to read dist/ and node_modules (a child as uid ${NOBODY} failed: ${child.stderr.trim().split('\n').at(-1)})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function chmodTree(path: string, dirMode: number, fileMode: number): void {
  const isDir = statSync(path).isDirectory();
  chmodSync(path, isDir ? dirMode : fileMode);
  if (isDir) for (const name of readdirSync(path)) chmodTree(join(path, name), dirMode, fileMode);
}

/**
 * Makes `dir` read-only for the reader until the test ends: owned by root with 0755 (files 0644) for a reader
 * of uid 65534, else 0555 (files 0444) for ourselves.
 */
function makeReadOnly(dir: string): void {
  if (IS_ROOT) return chmodTree(dir, 0o755, 0o644);
  chmodTree(dir, 0o555, 0o444);
  onTestFinished(() => chmodTree(dir, 0o755, 0o644));
}

/** The cache copied while its writer still holds it open: with its -wal and -shm files. */
async function copiedWhileOpen(root: string): Promise<string> {
  const live = join(root, 'live');
  const copy = join(root, 'copy');
  let copied = false;
  const writer = startFaultChild({ action: 'hold', dir: live, from: 0, to: STORED }, {
    onLine: line => {
      if (line !== 'ready') return;
      cpSync(live, copy, { recursive: true });
      copied = true;
      writer.process.kill('SIGKILL');
    },
  });
  await writer.result;
  expect(copied, 'the writer never got ready').toBe(true);
  expect(statSync(`${reliabilityDb(copy)}-wal`).size).toBeGreaterThan(0);
  expect(statSync(`${reliabilityDb(copy)}-shm`).size).toBeGreaterThan(0);
  return copy;
}

/** The fingerprint of every file of a cache: no reader may change one. */
function fingerprint(dir: string): Record<string, string> {
  const files = [reliabilityDb(dir), `${reliabilityDb(dir)}-wal`, `${reliabilityDb(dir)}-shm`, ...blobFiles(join(dir, 'reliability.blobs'))];
  return Object.fromEntries(files.filter(file => { try { return statSync(file).isFile(); } catch { return false; } }).map(file => [file, sha256Of(file)]));
}

const READ_ONLY_WARNING = /^\[beautyspot\] spot "reliability": \S+reliability\.sqlite cannot be written \(.+\); its entries are served read-only and new results are not stored\. Make the directory writable/;

interface ReadOnlyCase {
  variant: string;
  /** Builds the cache below `root`; returns its directory. */
  prepare: (root: string) => Promise<string>;
}

const READ_ONLY_CASES: ReadOnlyCase[] = [
  {
    variant: 'cleanly closed',
    prepare: async root => {
      const dir = join(root, 'cache');
      await filled(dir, 'filling the cache');
      expect(existsSync(`${reliabilityDb(dir)}-wal`), 'a cleanly closed cache has no -wal file').toBe(false);
      return dir;
    },
  },
  { variant: 'with the -wal and -shm of a writer still running', prepare: copiedWhileOpen },
];

it.for(READ_ONLY_CASES)('a read-only cache directory, $variant: hits are served, misses computed and returned, mode r throws only for real misses', { timeout: 60_000 }, async ({ variant, prepare }, ctx) => {
  requireFacility(await cannotRunAsNobody(), note => ctx.skip(note));
  const root = tempDir('bs-readonly-');
  const dir = await prepare(root);
  makeReadOnly(root);
  const before = fingerprint(dir);
  const reader = (extra: FaultJob = {}): FaultJob => ({ dir, from: 0, to: STORED + MISSES, ...(IS_ROOT ? { uid: NOBODY } : {}), ...extra });

  const rew = await runFaultChild(reader(), `${variant}, mode rew`);
  expectRightValues(rew, `${variant}, mode rew`);
  expect(rew.hits).toEqual(ids(0, STORED));
  expect(rew.notStored).toEqual(ids(STORED, STORED + MISSES));
  expect(rew.warnings).toEqual([expect.stringMatching(READ_ONLY_WARNING)]);
  expect(rew.events.map(e => e.kind)).toEqual(['open']);

  const r = await runFaultChild(reader(), `${variant}, mode r`, { env: { BEAUTYSPOT_ACCESS: 'r' } });
  expectRightValues(r, `${variant}, mode r`);
  expect(r.hits).toEqual(ids(0, STORED));
  expect(r.missErrors).toEqual(ids(STORED, STORED + MISSES));
  expect(r.warnings).toEqual([expect.stringMatching(READ_ONLY_WARNING)]);

  expect(fingerprint(dir), 'a reader changed the cache').toEqual(before);
  figures.push(`read-only (${variant}, ${IS_ROOT ? `uid ${NOBODY}` : 'chmod'}): ${rew.hits.length + r.hits.length} hits, ${rew.notStored.length} misses returned, ${r.missErrors.length} CacheMissErrors in mode r`);
});

// ---------------------------------------------------------------------------------------------------------
// A full disk

type FullDisk = { mechanism: 'tmpfs'; mount: string } | { mechanism: 'fsize' };

let disk: FullDisk | undefined;
let noFullDisk: string | undefined;

beforeAll(() => {
  const mount = mkdtempSync(join(tmpdir(), 'bs-tmpfs-'));
  const mounted = IS_ROOT && process.env.BEAUTYSPOT_FAULTS_DISK !== 'fsize' && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mount]).status === 0;
  if (mounted) {
    disk = { mechanism: 'tmpfs', mount };
    return;
  }
  rmSync(mount, { recursive: true });
  if (spawnSync('prlimit', ['--version']).status === 0) disk = { mechanism: 'fsize' };
  else noFullDisk = 'root (to mount a small tmpfs) or prlimit (for a file-size limit)';
});

afterAll(() => {
  if (disk?.mechanism !== 'tmpfs') return;
  execFileSync('umount', [disk.mount]);
  rmSync(disk.mount, { recursive: true });
});

/** Where a full-disk case keeps its cache: on the tmpfs, or in a temp dir (the limit is per process). */
function fullDiskDir(name: string): string {
  if (disk?.mechanism !== 'tmpfs') return join(tempDir('bs-full-'), name);
  return join(disk.mount, name);
}

/** Fills the tmpfs with a file until a write fails; returns the file. */
function fillTmpfs(mount: string): string {
  const filler = join(mount, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let i = 0; i < 1024; i++) writeSync(fd, chunk);
    throw new Error(`[faults] ${mount} never filled up`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return filler;
}

/** Runs a fault child on the full disk: the tmpfs as it is, or a file-size limit of `fsize` bytes set before it starts. */
async function onFullDisk(job: FaultJob, what: string, fsize: number | undefined): Promise<CallOutcome> {
  if (disk?.mechanism === 'tmpfs' || fsize === undefined) return runFaultChild(job, what);
  const child = startFaultChild({ ...job, waitForGo: true });
  execFileSync('prlimit', ['--pid', String(child.process.pid), `--fsize=${fsize}:${fsize}`]);
  child.process.stdin!.write('go\n');
  return outcomeOf(await child.result, what);
}

it('a disk that is full before the cache exists: every call returns its result, one warning says why nothing is stored', async ctx => {
  requireFacility(noFullDisk, note => ctx.skip(note));
  const dir = fullDiskDir('full-from-start');
  const filler = disk!.mechanism === 'tmpfs' ? fillTmpfs(disk!.mount) : undefined;
  try {
    const outcome = await onFullDisk({ dir, from: 0, to: STORED }, 'full from the start', 0);
    expectRightValues(outcome, 'full from the start');
    expect(outcome.hits).toEqual([]);
    expect(outcome.notStored).toEqual(ids(0, STORED));
    expect(outcome.warnings).toEqual([expect.stringMatching(/^\[beautyspot\] spot "reliability": \S+reliability\.sqlite cannot be opened \((database or disk is full|disk I\/O error)\); calls run uncached\. Check the disk's free space/)]);
    figures.push(`full disk (${disk!.mechanism}) from the start: ${outcome.calls} calls returned, 0 stored, 1 warning`);
  } finally {
    if (filler) rmSync(filler);
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

it('a disk that fills midway: results stored before are hits later, none lost, none wrong, and nothing half-written is left', async ctx => {
  requireFacility(noFullDisk, note => ctx.skip(note));
  const calls = 4 * STORED;
  const dir = fullDiskDir('fills-midway');
  try {
    const first = await onFullDisk({ dir, from: 0, to: calls }, 'filling midway', FSIZE_MIDWAY);
    expectRightValues(first, 'filling midway');
    expect(first.stored.length, 'nothing was stored before the disk filled').toBeGreaterThan(0);
    expect(first.notStored.length, 'the disk never filled').toBeGreaterThan(0);
    expect(first.stored.length + first.notStored.length).toBe(calls);
    for (const warning of first.warnings) expect(warning).toMatch(/^\[beautyspot\] \w+: write failed \(.+\); the result was returned but not cached\.$/);
    const blobDir = join(dir, 'reliability.blobs');
    expect(readdirSync(blobDir, { recursive: true }).filter(name => String(name).endsWith('.tmp')), 'temp files of failed blob writes').toEqual([]);
    for (const blob of blobFiles(blobDir)) expect(sha256Of(blob), `${blob} holds other bytes than its name says`).toBe(blob.slice(-64));

    // Still full (under a file-size limit, a checkpoint at the last close may have made room for a few more).
    const stillFull = await onFullDisk({ dir, from: 0, to: calls }, 'still full', FSIZE_MIDWAY);
    expectRightValues(stillFull, 'still full');
    expect(stillFull.hits, 'the results stored before the disk filled are the hits now').toEqual(first.stored);

    if (disk!.mechanism === 'tmpfs') execFileSync('mount', ['-o', `remount,size=${TMPFS_FREED}`, disk!.mount]);
    const freed = await onFullDisk({ dir, from: 0, to: calls }, 'space again', undefined);
    expectRightValues(freed, 'space again');
    const storedBefore = new Set([...first.stored, ...stillFull.stored]);
    expect(freed.hits, 'every result stored so far is a hit').toEqual(ids(0, calls).filter(id => storedBefore.has(id)));
    expect(freed.stored).toEqual(ids(0, calls).filter(id => !storedBefore.has(id)));
    expect(freed.warnings).toEqual([]);
    figures.push(`full disk (${disk!.mechanism}) midway: ${first.stored.length} stored before it filled, all hits in the next two runs, ` +
      `${first.notStored.length} returned unstored, each stored once there was room`);
  } finally {
    if (disk?.mechanism === 'tmpfs') execFileSync('mount', ['-o', `remount,size=${TMPFS_SIZE}`, disk.mount]);
    rmSync(dir, { recursive: true, force: true });
  }
}, 90_000);

// ---------------------------------------------------------------------------------------------------------
// Another process holds the write lock

it('another process holds the write lock past the busy timeout: hits are served throughout, a miss is returned and reported, later ones land', async () => {
  const dir = tempDir('bs-lock-');
  await filled(dir, 'filling the cache');
  let locked!: () => void;
  const isLocked = new Promise<void>(resolve => (locked = resolve));
  const lockedAt = { start: 0, end: 0 };
  const locker = startFaultChild({ action: 'lock', file: reliabilityDb(dir) }, {
    onLine: line => {
      if (line !== 'locked') return;
      lockedAt.start = performance.now();
      locked();
    },
  });
  await Promise.race([isLocked, locker.result]);
  expect(lockedAt.start, 'the locker never took the lock').toBeGreaterThan(0);

  const caller = startFaultChild({ action: 'around-lock', dir, from: 0, to: STORED }, {
    onLine: line => {
      if (line !== 'busy') return;
      locker.process.stdin!.write('release\n');
      lockedAt.end = performance.now();
    },
  });
  const during = outcomeOf(await caller.result, 'calls around the lock');
  const lock = await locker.result;
  expect(lock.code, lock.stderr).toBe(0);
  expect(lock.stdout).toBe('locked\nreleased\n');

  expectRightValues(during, 'calls around the lock');
  expect(during.hits, 'the hits before and while the lock was held').toEqual([...ids(0, STORED), ...ids(0, STORED)]);
  expect(during.notStored, 'the miss whose write met the lock').toEqual([STORED]);
  expect(during.stored, 'the misses after it was released').toEqual(ids(STORED + 1, STORED + 4));
  // The miss's lease met the lock first: that call ran without single-flight (an event, no warning).
  expect(during.events.map(e => [e.kind, e.code])).toEqual([['lease', 'SQLITE_BUSY'], ['write', 'SQLITE_BUSY']]);
  expect(during.warnings).toEqual(['[beautyspot] smallSync: write failed (database is locked); the result was returned but not cached.']);

  const after = await runFaultChild({ dir, from: 0, to: STORED + 4 }, 'after the lock');
  expectRightValues(after, 'after the lock');
  expect(after.stored).toEqual([STORED]);
  expect(after.warnings).toEqual([]);
  figures.push(`write lock held ${((lockedAt.end - lockedAt.start) / 1000).toFixed(1)} s: ${during.hits.length} hits served during it, ` +
    `1 miss returned and reported busy, 3 later misses stored, slowest call ${(during.slowestMs / 1000).toFixed(1)} s`);
}, 60_000);
