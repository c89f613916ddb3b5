import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { CorruptEntryError } from '../../runtime/errors.js';
import { MemoryLimitState } from '../../runtime/limit/memory-limit-state.js';
import { withLocalFallback, type FallbackOptions } from '../../runtime/remote/local-fallback.js';
import type { Leases } from '../../runtime/store/leases.js';
import { SqliteStore } from '../../runtime/store/sqlite-store.js';
import type { EntryRecord, Store, StoredValue } from '../../runtime/store/store.js';
import { tempDir } from '../helpers/temp-spot.js';
import { thrown } from '../helpers/thrown.js';
import { MemoryLeases, switchableStore, type Switch } from './switchable.js';

function entry(key: string, text = `value of ${key}`, extra: Partial<EntryRecord> = {}): EntryRecord {
  const value = Buffer.from(text);
  return { key, fn: 'fetchPage', createdAt: Date.now(), expiresAt: null, computeMs: 12, size: value.length, flags: 0, blob: null, value,
    args: [['url', 'abc123']], tags: ['pages'], ...extra };
}

function textOf(found: StoredValue | undefined): string | undefined {
  return found?.value ? Buffer.from(found.value).toString() : undefined;
}

interface Setup {
  store: Store;
  /** The real store behind the switch (what "the remote" holds). */
  remote: SqliteStore;
  local: SqliteStore;
  power: Switch;
  reports: Error[];
}

function setup(options: { async?: boolean; leases?: Leases; localLeases?: Leases; limits?: MemoryLimitState } & FallbackOptions = {}): Setup {
  const dir = tempDir();
  const remote = new SqliteStore(join(dir, 'remote.sqlite'));
  const local = new SqliteStore(join(dir, 'local.sqlite'));
  onTestFinished(() => {
    remote.close();
    local.close();
  });
  const power: Switch = { up: true, calls: 0 };
  const reports: Error[] = [];
  const localTier = options.localLeases ? new Proxy(local, { get: (t, n) => (n === 'leases' ? options.localLeases : Reflect.get(t, n)) }) : local;
  const store = withLocalFallback(switchableStore(remote, power, options), () => localTier, error => reports.push(error as Error),
    { retryMs: options.retryMs ?? 0 });
  return { store, remote, local, power, reports };
}

/** The sync or the async form of get and put, so each scenario runs through both. */
function forms(store: Store, async: boolean) {
  return async
    ? { get: (key: string) => store.getAsync!(key), put: (e: EntryRecord) => store.putAsync!(e) }
    : { get: async (key: string) => store.get(key), put: async (e: EntryRecord) => store.put(e) };
}

for (const async of [false, true]) {
  describe(async ? 'async forms' : 'sync forms', () => {
    /** Waits for the background copy of the async forms; the sync forms have copied before returning. */
    const copied = (check: () => void) => (async ? vi.waitFor(check, { timeout: 5000 }) : check());

    it('an outage at start: writes go to the local store, reads come from it, one report', async () => {
      const s = setup({ async });
      const { get, put } = forms(s.store, async);
      s.power.up = false;
      await put(entry('a'));
      await put(entry('b'));
      expect(textOf(await get('a'))).toBe('value of a');
      expect(await get('missing')).toBeUndefined();
      expect(s.remote.get('a')).toBeUndefined();
      expect(textOf(s.local.get('a'))).toBe('value of a');
      expect(s.reports).toHaveLength(1);
      expect(s.reports[0]!.message).toMatch(/^\[beautyspot\] the remote store cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:6390\): /);
      expect((s.reports[0]!.cause as { code?: string }).code).toBe('ECONNREFUSED');
    });

    it('back again: what was written during the outage moves up, whole, and leaves the local store', async () => {
      const s = setup({ async });
      const { get, put } = forms(s.store, async);
      s.power.up = false;
      await put(entry('a', 'A', { tags: ['x', 'y'], computeMs: 99 }));
      await put(entry('b'));
      s.power.up = true;
      expect(await get('unrelated')).toBeUndefined();
      await copied(() => {
        expect(textOf(s.remote.get('a'))).toBe('A');
        expect(textOf(s.remote.get('b'))).toBe('value of b');
        expect(s.local.get('a')).toBeUndefined();
        expect(s.local.get('b')).toBeUndefined();
      });
      const [listed] = s.remote.list().filter(e => e.key === 'a');
      expect(listed).toMatchObject({ fn: 'fetchPage', computeMs: 99, args: [['url', 'abc123']], tags: ['x', 'y'], size: 1 });
      expect(textOf(await get('a'))).toBe('A');
    });

    it('an outage mid-run: remote entries are out of reach meanwhile, then served again; each outage is reported once', async () => {
      const s = setup({ async });
      const { get, put } = forms(s.store, async);
      await put(entry('before'));
      expect(textOf(s.remote.get('before'))).toBe('value of before');
      s.power.up = false;
      expect(await get('before')).toBeUndefined(); // only the remote has it: a miss, not an error
      await put(entry('during'));
      expect(textOf(await get('during'))).toBe('value of during');
      expect(s.reports).toHaveLength(1);
      s.power.up = true;
      expect(textOf(await get('before'))).toBe('value of before');
      await copied(() => expect(textOf(s.remote.get('during'))).toBe('value of during'));
      s.power.up = false;
      await put(entry('second'));
      expect(s.reports).toHaveLength(2);
    });

    it('a remote miss finds an entry of an earlier local-only run and moves it up', async () => {
      const s = setup({ async });
      const { get } = forms(s.store, async);
      s.local.put(entry('old', 'from SQLite'));
      const found = await get('old');
      expect(textOf(found)).toBe('from SQLite');
      expect(found!.computeMs).toBe(12);
      await copied(() => {
        expect(textOf(s.remote.get('old'))).toBe('from SQLite');
        expect(s.local.get('old')).toBeUndefined();
      });
      expect(s.reports).toHaveLength(0);
    });

    it('an expired local entry is served as found (the call path sees the expiry) but never moved up', async () => {
      const s = setup({ async });
      const { get } = forms(s.store, async);
      s.local.put(entry('stale', 'old', { expiresAt: Date.now() - 1000 }));
      expect((await get('stale'))!.expiresAt).toBeLessThan(Date.now());
      await new Promise(resolve => setTimeout(resolve, 20));
      expect(s.remote.get('stale')).toBeUndefined();
    });

    it('a damaged remote entry is a miss: never answered from the local store, even when it has the key', async () => {
      const s = setup({ async });
      const { get } = forms(s.store, async);
      s.remote.put(entry('k', 'remote value'));
      s.remote.db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(Buffer.from('tampered'), 'k');
      s.local.put(entry('k', 'another value'));
      await expect(get('k')).rejects.toBeInstanceOf(CorruptEntryError);
      expect(textOf(s.local.get('k'))).toBe('another value');
      expect(s.reports).toHaveLength(0);
    });

    it('a write the remote takes drops an older local copy of the key, which is then never moved over it', async () => {
      const s = setup({ async });
      const { get, put } = forms(s.store, async);
      s.power.up = false;
      await put(entry('k', 'older'));
      s.power.up = true;
      await put(entry('k', 'newer'));
      expect(s.local.get('k')).toBeUndefined();
      expect(await get('other')).toBeUndefined();
      await new Promise(resolve => setTimeout(resolve, 20));
      expect(textOf(s.remote.get('k'))).toBe('newer');
    });
  });
}

describe('the wrapper', () => {
  it('has the async forms only when the remote has them', () => {
    expect(setup().store.getAsync).toBeUndefined();
    expect(setup().store.putAsync).toBeUndefined();
    expect(setup({ async: true }).store.getAsync).toBeTypeOf('function');
    expect(setup({ async: true }).store.putAsync).toBeTypeOf('function');
  });

  it('while the remote is down, tries it again only after retryMs', () => {
    const s = setup({ retryMs: 60_000 });
    s.power.up = false;
    s.store.put(entry('a'));
    const calls = s.power.calls;
    s.power.up = true;
    s.store.put(entry('b'));
    expect(textOf(s.store.get('a'))).toBe('value of a');
    expect(s.power.calls).toBe(calls);
    expect(s.remote.get('b')).toBeUndefined();
    expect(textOf(s.local.get('b'))).toBe('value of b');
  });

  it('copies up a bounded number of entries per sync call', () => {
    const s = setup();
    s.power.up = false;
    for (let i = 0; i < 40; i++) s.store.put(entry(`k${i}`));
    s.power.up = true;
    s.store.get('x');
    expect(s.remote.totals().entries).toBe(16);
    s.store.get('x');
    s.store.get('x');
    expect(s.remote.totals().entries).toBe(40);
    expect(s.local.totals().entries).toBe(0);
  });

  it('entries served by the local tier are not touched on the remote', () => {
    const s = setup();
    s.remote.put(entry('r'));
    s.power.up = false;
    s.store.put(entry('l'));
    const served = s.store.get('l')!;
    s.power.up = true;
    const fromRemote = s.store.get('r')!;
    const calls = s.power.calls;
    s.store.touch(served.id, Date.now());
    expect(s.power.calls).toBe(calls);
    s.store.touch(fromRemote.id, Date.now());
    expect(s.power.calls).toBe(calls + 1);
  });

  it('delete and clear reach the local store too', () => {
    const s = setup();
    s.local.put(entry('a'));
    s.local.put(entry('b', 'b', { fn: 'other' }));
    s.remote.put(entry('c'));
    s.store.delete('a');
    expect(s.local.get('a')).toBeUndefined();
    expect(s.store.clear({ fn: 'fetchPage' })).toEqual({ entries: 1, blobs: [] });
    expect(s.remote.get('c')).toBeUndefined();
    expect(s.store.clear()).toEqual({ entries: 1, blobs: [] });
    expect(s.local.get('b')).toBeUndefined();
  });

  it('a blob only the cleared local rows used is returned for deletion; one a remote row still uses is not', () => {
    const s = setup();
    const shared = 'a'.repeat(64);
    const localOnly = 'b'.repeat(64);
    s.local.put(entry('l1', '', { value: null, blob: shared }));
    s.local.put(entry('l2', '', { value: null, blob: localOnly }));
    s.remote.put(entry('r1', '', { value: null, blob: shared, fn: 'other' }));
    expect(s.store.clear({ fn: 'fetchPage' }).blobs).toEqual([localOnly]);
  });

  it('reports a local store that cannot open and carries on with none', () => {
    const reports: unknown[] = [];
    const power: Switch = { up: false, calls: 0 };
    const dir = tempDir();
    const remote = new SqliteStore(join(dir, 'remote.sqlite'));
    onTestFinished(() => remote.close());
    const store = withLocalFallback(switchableStore(remote, power), () => {
      throw new Error('disk gone');
    }, error => reports.push(error), { retryMs: 0 });
    store.put(entry('a'));
    expect(store.get('a')).toBeUndefined();
    expect(reports.map(r => (r as Error).message)).toEqual([expect.stringMatching(/remote store cannot be reached/), 'disk gone']);
  });
});

describe('leases and limits', () => {
  it('pass the remote\'s through while it answers', () => {
    const leases = new MemoryLeases();
    const s = setup({ leases });
    expect(s.store.leases!.acquire('k', 'me', 60_000)).toBe(true);
    expect(s.store.leases!.acquire('k', 'you', 60_000)).toBe(false);
    expect(leases.acquire('k', 'you', 60_000)).toBe(false);
    s.store.leases!.release('k', 'me');
    expect(leases.acquire('k', 'you', 60_000)).toBe(true);
  });

  it('fall back to the local store\'s leases during an outage', () => {
    const localLeases = new MemoryLeases();
    const s = setup({ leases: new MemoryLeases(), localLeases });
    s.power.up = false;
    expect(s.store.leases!.acquire('k', 'me', 60_000)).toBe(true);
    expect(s.store.leases!.acquire('k', 'you', 60_000)).toBe(false);
    expect(s.store.leases!.renew('k', 'me', 60_000)).toBe(true);
    s.store.leases!.release('k', 'me');
    expect(localLeases.acquire('k', 'you', 60_000)).toBe(true);
    expect(s.reports).toHaveLength(1);
  });

  it('without local leases, grant every lease during an outage (no single-flight, but no call waits)', () => {
    const remote = new MemoryLeases();
    const s = setup({ leases: remote });
    remote.acquire('k', 'someone', 60_000);
    s.power.up = false;
    expect(s.store.leases!.acquire('k', 'me', 60_000)).toBe(true);
    expect(s.store.leases!.renew('k', 'me', 60_000)).toBe(true);
  });

  it('the async lease forms exist only when the remote has them', () => {
    expect(setup({ leases: new MemoryLeases() }).store.leases!.acquireAsync).toBeUndefined();
  });

  it('limits keep holding during an outage: in this process when the local store keeps none', async () => {
    const s = setup({ async: true, limits: new MemoryLimitState() });
    const bucket = { id: 'test/api/rpm', interval: 60_000, burst: 1, cost: 1 };
    expect(s.store.limits!.reserve([bucket])).toBe(0);
    expect(s.store.limits!.reserve([bucket])).toBeGreaterThan(50_000);
    s.power.up = false;
    expect(await s.store.limits!.reserveAsync!([bucket])).toBe(0);
    expect(s.store.limits!.reserve([bucket])).toBeGreaterThan(50_000);
    expect(await s.store.limits!.reserveAsync!([bucket])).toBeGreaterThan(110_000);
    expect(s.reports).toHaveLength(1);
  });
});
