import type { Bucket, LimitState } from '../limit/limit-state.js';
import { SyncBridge } from '../remote/sync-bridge.js';
import type { Leases } from '../store/leases.js';
import { pendingCounter, type EntryFilter, type EntryInfo, type EntryRecord, type HitCounter, type Store, type StoredValue, type StoreTotals } from '../store/store.js';
import { decodeRecord } from './record.js';
import { createRedisCore, resolveRedisOptions, type HitCounts, type RedisCore, type RedisStoreOptions, type ResolvedRedisOptions } from './redis-core.js';

/**
 * What a sync call may take beyond its commands' own bound: the hop to the worker, and the watchdog's tick (a
 * quarter of the command timeout) before the worker's own failure arrives. The bridge adds the worker's start.
 */
const BRIDGE_MS = 1000;
/** Tool calls (list, totals, clear, blobInUse) walk indexes in many round trips. */
const TOOL_MS = 30_000;

/**
 * A Store whose entries live in Redis, shared by every process and machine that uses the same server and prefix.
 * Async marked functions use the async forms (one GET per hit, on this thread's connection); sync ones and the
 * tools go through a worker thread (SyncBridge) that waits on the same protocol. Eviction is Redis's own
 * (`maxmemory-policy`): `evict` does nothing, and `touch` records nothing.
 */
export class RedisStore implements Store {
  readonly leases: Leases;
  readonly limits: LimitState;
  private readonly options: ResolvedRedisOptions;
  private readonly counters = new Map<string, HitCounter>();
  private core_: RedisCore | undefined;
  private bridge_: SyncBridge | undefined;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.options = resolveRedisOptions(options);
    this.leases = {
      acquire: (key, owner, ms) => this.call<boolean>('acquireLease', [key, owner, ms]),
      renew: (key, owner, ms) => this.call<boolean>('renewLease', [key, owner, ms]),
      release: (key, owner) => this.call<void>('releaseLease', [key, owner]),
      acquireAsync: (key, owner, ms) => this.core.acquireLease(key, owner, ms),
      renewAsync: (key, owner, ms) => this.core.renewLease(key, owner, ms),
      releaseAsync: (key, owner) => this.core.releaseLease(key, owner),
    };
    this.limits = {
      reserve: (buckets: Bucket[]) => this.call<number>('reserve', [buckets]),
      reserveAsync: (buckets: Bucket[]) => this.core.reserve(buckets),
    };
  }

  getAsync(key: string): Promise<StoredValue | undefined> {
    return this.core.get(key);
  }

  putAsync(entry: EntryRecord): Promise<void> {
    return this.core.put(entry);
  }

  get(key: string): StoredValue | undefined {
    const bytes = this.call<Uint8Array | null>('getRecord', [key]);
    return bytes === null ? undefined : decodeRecord(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  put(entry: EntryRecord): void {
    this.call<void>('put', [entry]);
  }

  touch(): void {}

  counter(fn: string): HitCounter {
    return pendingCounter(this.counters, fn);
  }

  delete(key: string): void {
    this.call<void>('delete', [key]);
  }

  /** Redis evicts by its own `maxmemory-policy`; there is nothing to do here. */
  evict(): { entries: number; bytes: number; blobs: string[] } {
    return { entries: 0, bytes: 0, blobs: [] };
  }

  /** Redis expires entries itself (PXAT); their blobs are found by gc's orphan pass, through `blobInUse`. */
  deleteExpired(): { entries: number; blobs: string[] } {
    return { entries: 0, blobs: [] };
  }

  blobInUse(ref: string): boolean {
    try {
      return this.call<boolean>('blobInUse', [ref], TOOL_MS);
    } catch {
      return true; // gc deletes blobs on this word: when unsure, the blob is in use
    }
  }

  totals(fn?: string): StoreTotals {
    this.flush();
    return this.call<StoreTotals>('totals', [fn], TOOL_MS);
  }

  list(options?: { fn?: string; limit?: number; offset?: number }): EntryInfo[] {
    return this.call<EntryInfo[]>('list', [options], TOOL_MS);
  }

  clear(filter?: EntryFilter): { entries: number; blobs: string[] } {
    return this.call<{ entries: number; blobs: string[] }>('clear', [filter], TOOL_MS);
  }

  /** Adds the pending hit counts to the functions' totals; they stay pending when Redis cannot take them. */
  flush(): void {
    const dirty: HitCounts = [...this.counters].filter(([, c]) => c.hits > 0).map(([fn, c]) => [fn, c.hits, c.savedMs]);
    if (dirty.length === 0 || this.closed) return;
    this.call<void>('addHits', [dirty]);
    for (const [fn, hits, savedMs] of dirty) {
      const counter = this.counters.get(fn)!;
      counter.hits -= hits;
      counter.savedMs -= savedMs;
    }
  }

  close(): void {
    if (this.closed) return;
    try {
      this.flush();
    } catch {
      // hit counts are bookkeeping; the store closes all the same
    }
    this.closed = true;
    this.bridge_?.close();
    this.core_?.close();
  }

  /** This thread's connection, for the async forms; opened on first use. */
  private get core(): RedisCore {
    return (this.core_ ??= createRedisCore(this.options));
  }

  private call<T>(method: string, args: unknown[], timeoutMs = this.options.commandTimeoutMs): T {
    this.bridge_ ??= new SyncBridge({ module: new URL('./redis-core.js', import.meta.url).href, factory: 'createRedisCore', args: [this.options] });
    return this.bridge_.call<T>(method, args, this.options.connectTimeoutMs + timeoutMs + BRIDGE_MS);
  }
}
