import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, expect, it, onTestFinished } from 'vitest';
import type { EntryRecord, Store, StoredValue } from '../../runtime/store/store.js';
import { tempDir } from '../helpers/temp-spot.js';
import { thrown } from '../helpers/thrown.js';

// The two pieces together, as a remote backend will use them: a store whose sync methods go through the sync
// bridge to a worker holding a real SQLite store, wrapped in the local fallback. Built runtime (dist/), for the
// reason given in sync-bridge.test.ts; the fallback comes from dist/ too, so error classes are the bridge's.
type BridgeModule = typeof import('../../runtime/remote/sync-bridge.js');
type FallbackModule = typeof import('../../runtime/remote/local-fallback.js');
type StoreModule = typeof import('../../runtime/store/sqlite-store.js');
type ErrorsModule = typeof import('../../runtime/errors.js');

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dist = (path: string) => import(pathToFileURL(join(repo, 'dist/runtime', path)).href);
let bridges: BridgeModule;
let fallback: FallbackModule;
let stores: StoreModule;
let errors: ErrorsModule;

beforeAll(async () => {
  [bridges, fallback, stores, errors] = await Promise.all([dist('remote/sync-bridge.js'), dist('remote/local-fallback.js'),
    dist('store/sqlite-store.js'), dist('errors.js')]) as [BridgeModule, FallbackModule, StoreModule, ErrorsModule];
});

const TIMEOUT_MS = 100;

function entry(key: string, text: string): EntryRecord {
  const value = Buffer.from(text);
  return { key, fn: 'f', createdAt: Date.now(), expiresAt: null, computeMs: 3, size: value.length, flags: 0, blob: null, value, args: [], tags: [] };
}

const textOf = (found: StoredValue | undefined) => (found?.value ? Buffer.from(found.value).toString() : undefined);

it('a remote behind the sync bridge: a frozen remote times out into the local tier, a damaged entry stays a miss, replay follows', () => {
  const dir = tempDir();
  const bridge = new bridges.SyncBridge({ module: pathToFileURL(join(repo, 'test/remote/bridge-target.mjs')).href,
    factory: 'sqliteStore', args: [join(dir, 'remote.sqlite')] });
  const local = new stores.SqliteStore(join(dir, 'local.sqlite'));
  onTestFinished(() => {
    bridge.close();
    local.close();
  });
  // Only what the fallback calls on this path; the rest of a backend is not under test here.
  const remote = {
    get: (key: string) => bridge.call<StoredValue | undefined>('get', [key], TIMEOUT_MS),
    put: (record: EntryRecord) => bridge.call<void>('put', [record], TIMEOUT_MS),
    touch: () => {},
  } as unknown as Store;
  const reports: Error[] = [];
  const store = fallback.withLocalFallback(remote, () => local, error => reports.push(error as Error), { retryMs: 0 });

  store.put(entry('a', 'on the remote'));
  expect(textOf(store.get('a'))).toBe('on the remote');
  expect(local.get('a')).toBeUndefined();

  // The worker's CorruptEntryError arrives as one, so the fallback keeps it a miss instead of asking the local tier.
  bridge.call('damage', ['a'], TIMEOUT_MS);
  local.put(entry('a', 'a different value'));
  thrown(errors.CorruptEntryError, () => store.get('a'));
  expect(reports).toHaveLength(0);
  local.delete('a');

  bridge.post('freeze', [1500]);
  store.put(entry('b', 'written while frozen'));
  expect(reports.map(r => r.message)).toEqual([expect.stringMatching(/remote store cannot be reached \(sqliteStore\(…\)\.put .* did not answer within 100 ms/)]);
  expect(textOf(store.get('b'))).toBe('written while frozen');
  expect(textOf(local.get('b'))).toBe('written while frozen');

  bridge.drain(5000); // the freeze is over (the put that timed out lands now too: the same value)
  expect(store.get('c')).toBeUndefined();
  expect(textOf(bridge.call<StoredValue>('get', ['b'], 5000))).toBe('written while frozen');
  expect(local.get('b')).toBeUndefined();
  expect(reports).toHaveLength(1);
});
