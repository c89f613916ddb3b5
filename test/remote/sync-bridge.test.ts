import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, linesOf, startNode } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';
import { thrown } from '../helpers/thrown.js';

// The bridge's worker runs outside vitest, which cannot give it TypeScript: these tests use the built runtime
// (dist/, built by test/setup/build.ts), which also checks how the shipped sync-bridge.js finds bridge-worker.js,
// and targets written in plain JavaScript (bridge-target.mjs).
type BridgeModule = typeof import('../../runtime/remote/sync-bridge.js');
type ErrorsModule = typeof import('../../runtime/errors.js');
type SyncBridge = InstanceType<BridgeModule['SyncBridge']>;

const repo = fileURLToPath(new URL('../..', import.meta.url));
const TARGET = pathToFileURL(join(repo, 'test/remote/bridge-target.mjs')).href;
const CHILD = join(repo, 'test/remote/bridge-exit-child.mjs');

let bridgeModule: BridgeModule;
let errors: ErrorsModule;
const open: SyncBridge[] = [];

beforeAll(async () => {
  bridgeModule = await import(pathToFileURL(join(repo, 'dist/runtime/remote/sync-bridge.js')).href) as BridgeModule;
  errors = await import(pathToFileURL(join(repo, 'dist/runtime/errors.js')).href) as ErrorsModule;
});

afterEach(() => {
  for (const bridge of open.splice(0)) bridge.close();
});
afterAll(killLeftovers);

function bridge(factory = 'probe', args: unknown[] = ['p'], onPostError?: (error: Error) => void): SyncBridge {
  const made = new bridgeModule.SyncBridge({ module: TARGET, factory, args }, onPostError ? { onPostError } : {});
  open.push(made);
  return made;
}

describe('call', () => {
  it('returns the worker object\'s values, binary results as Uint8Array with their bytes', () => {
    const b = bridge('probe', ['first']);
    expect(b.call('label', [], 5000)).toBe('first');
    expect(b.call('echo', [1, 'two', { three: [3] }, null], 5000)).toEqual([1, 'two', { three: [3] }, null]);
    const bytes = b.call<Uint8Array>('bytes', [65_536], 5000);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.length).toBe(65_536);
    expect(bytes.every(byte => byte === 7)).toBe(true);
    // A Buffer inside an object (a StoredValue's value) arrives as a Uint8Array too.
    const entry = b.call<{ value: Uint8Array }>('entry', [100_000], 5000);
    expect(entry.value).toBeInstanceOf(Uint8Array);
    expect(entry.value.length).toBe(100_000);
    expect(entry.value[99_999]).toBe(9);
    expect(b.call<{ value: Uint8Array }>('entry', [10], 5000).value).toEqual(new Uint8Array(10).fill(9));
  });

  it('answers binary, null and undefined results through shared memory up to its size, larger ones through the port', () => {
    const b = bridge();
    const results: Uint8Array[] = [];
    // Sizes around the shared area's (65 KiB): each result is its caller's own, whole, and stays so after later calls.
    for (const size of [0, 1, 180, 65 * 1024 - 1, 65 * 1024, 65 * 1024 + 1, 300_000, 7]) {
      const bytes = b.call<Uint8Array>('slow', [0, new Uint8Array(size).fill(size & 0xff)], 5000);
      expect(bytes).toBeInstanceOf(Uint8Array);
      expect(bytes.length).toBe(size);
      results.push(bytes);
    }
    const one = b.call<Uint8Array>('bytes', [65 * 1024], 5000);
    expect(b.call<Uint8Array>('bytes', [3], 5000)).toEqual(new Uint8Array([7, 7, 7]));
    expect(one.length).toBe(65 * 1024);
    expect(one.every(byte => byte === 7)).toBe(true);
    for (const bytes of results) expect(bytes.every(byte => byte === (bytes.length & 0xff))).toBe(true);
    expect(b.call('slow', [0, null], 5000)).toBeNull();
    expect(b.call('noop', [], 5000)).toBeUndefined();
  });

  it('re-creates a remote error with its name, message and code', () => {
    const error = thrown(Error, () => bridge().call('fail', ['connection reset', 'ECONNRESET'], 5000)) as Error & { code?: unknown };
    expect(error.name).toBe('RangeError');
    expect(error.message).toBe('connection reset');
    expect(error.code).toBe('ECONNRESET');
  });

  it('says so for a method the object does not have, and for a result structured clone cannot carry', () => {
    const b = bridge();
    expect(thrown(Error, () => b.call('nope', [], 5000)).message).toMatch(/has no method "nope"/);
    expect(thrown(Error, () => b.call('unclonable', [], 5000)).name).toBe('DataCloneError');
    expect(b.call('label', [], 5000)).toBe('p');
  });

  it('throws RemoteTimeoutError when the answer is late, and drops that late answer', () => {
    const b = bridge();
    b.call('noop', [], 5000);
    const error = thrown(bridgeModule.RemoteTimeoutError, () => b.call('slow', [1000, 'late'], 20));
    expect(error).toBeInstanceOf(errors.BeautyspotError);
    expect(error.message).toMatch(/probe\(…\)\.slow .* did not answer within 20 ms/);
    // The next call waits past the late answer and gets its own.
    expect(b.call('slow', [1200, 'mine'], 5000)).toBe('mine');
    // So with binary answers, which come through shared memory: the late one is never read as the next call's.
    thrown(bridgeModule.RemoteTimeoutError, () => b.call('slow', [300, new Uint8Array([1, 1, 1])], 20));
    expect(b.call('slow', [600, new Uint8Array([2, 2])], 5000)).toEqual(new Uint8Array([2, 2]));
    expect(b.call('slow', [0, new Uint8Array([3])], 5000)).toEqual(new Uint8Array([3]));
  });

  it('starts a new worker after the old one died', () => {
    const b = bridge('probe', ['again']);
    const error = thrown(errors.BeautyspotError, () => b.call('crash', [], 5000));
    expect(error.message).toMatch(/worker of the sync bridge stopped during probe\(…\)\.crash/);
    expect(b.call('label', [], 5000)).toBe('again');
  });

  it('says why the worker cannot start, and does not start another one at once', () => {
    const b = bridge('broken', ['no credentials']);
    const error = thrown(errors.BeautyspotError, () => b.call('get', [], 5000));
    expect(error.message).toMatch(/cannot start broken\(…\) of .*bridge-target\.mjs: no credentials/);
    expect(thrown(errors.BeautyspotError, () => b.call('get', [], 5000))).toBe(error);
    const missing = thrown(errors.BeautyspotError, () => bridge('absent').call('get', [], 5000));
    expect(missing.message).toMatch(/has no exported function "absent"/);
  });

  it('serves a real store: what is put through the bridge is read back through it', () => {
    const dir = tempDir();
    const b = bridge('sqliteStore', [join(dir, 'remote.sqlite')]);
    const value = new Uint8Array(70_000).map((_, i) => i % 251);
    b.call('put', [{ key: 'k', fn: 'f', createdAt: 1, expiresAt: null, computeMs: 2, size: value.length, flags: 0, blob: null, value, args: [], tags: [] }], 5000);
    const stored = b.call<{ value: Uint8Array; computeMs: number }>('get', ['k'], 5000);
    expect(stored.value).toBeInstanceOf(Uint8Array);
    expect(stored.value).toEqual(value);
    expect(stored.computeMs).toBe(2);
    expect(b.call('get', ['other'], 5000)).toBeUndefined();
    b.call('close', [], 5000);
  });
});

describe('post and drain', () => {
  it('runs posted calls in the background; drain waits for all of them', () => {
    const file = join(tempDir(), 'writes.txt');
    const b = bridge();
    for (let i = 0; i < 5; i++) b.post('append', [file, `w${i}`, 20 * (5 - i)]);
    b.drain(5000);
    expect(linesOf(readFileSync(file, 'utf8')).sort()).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
  });

  it('passes the errors of posted calls to onPostError', () => {
    const failures: Error[] = [];
    const b = bridge('probe', ['p'], error => failures.push(error));
    b.post('fail', ['disk full', 'ENOSPC']);
    b.post('noop', []);
    b.drain(5000);
    expect(failures.map(f => [f.name, f.message, (f as { code?: unknown }).code])).toEqual([['RangeError', 'disk full', 'ENOSPC']]);
  });

  it('throws RemoteTimeoutError when posted calls take longer than the drain may wait', () => {
    const b = bridge();
    b.post('slow', [1000, null]);
    expect(thrown(bridgeModule.RemoteTimeoutError, () => b.drain(10)).message).toMatch(/1 posted call\(s\) .* were not done within 10 ms/);
    b.drain(5000);
  });

  it('reports posted calls lost with a worker that died', () => {
    const failures: Error[] = [];
    const b = bridge('probe', ['p'], error => failures.push(error));
    b.post('slow', [5000, null]);
    b.post('crash', []);
    b.drain(5000);
    expect(failures.map(f => f.message)).toEqual([expect.stringMatching(/2 posted call\(s\) to probe\(…\) .* were lost: its worker stopped/)]);
  });

  it('close waits for posted calls; the closed bridge refuses calls', () => {
    const file = join(tempDir(), 'writes.txt');
    const b = bridge();
    b.post('append', [file, 'before close', 100]);
    b.close();
    expect(readFileSync(file, 'utf8')).toBe('before close\n');
    expect(thrown(errors.BeautyspotError, () => b.call('noop', [], 5000)).message).toMatch(/is closed/);
  });
});

describe('the process', () => {
  for (const ending of ['natural', 'exit', 'after-call']) {
    it(`keeps posted writes and ends by itself (${ending} end)`, async () => {
      const file = join(tempDir(), 'writes.txt');
      const child = await startNode(CHILD, { args: [file, ending], timeoutMs: 20_000 }).result;
      expect(child.stderr).toBe('');
      expect(child.timedOut).toBe(false);
      expect(child.code).toBe(0);
      expect(linesOf(child.stdout).at(-1)).toBe('posted');
      expect(linesOf(readFileSync(file, 'utf8')).sort()).toEqual(['line 0', 'line 1', 'line 2']);
    });
  }
});

it('says what to do when the worker script is not next to the bridge (a bundled runtime)', async () => {
  const dir = tempDir();
  cpSync(join(repo, 'dist/runtime'), join(dir, 'runtime'), { recursive: true, filter: from => !from.endsWith('.map') });
  rmSync(join(dir, 'runtime/remote/bridge-worker.js'));
  expect(existsSync(join(dir, 'runtime/remote/sync-bridge.js'))).toBe(true);
  const copy = await import(pathToFileURL(join(dir, 'runtime/remote/sync-bridge.js')).href) as BridgeModule;
  const b = new copy.SyncBridge({ module: TARGET, factory: 'probe', args: [] });
  const error = thrown(Error, () => b.call('noop', [], 5000));
  expect(error.message).toMatch(/worker script .*bridge-worker\.js is missing: the runtime was bundled without it\. Keep beautyspot external/);
  b.close();
});
