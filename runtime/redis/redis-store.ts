import type { Bucket, LimitState } from '../limit/limit-state.js';
import { SyncBridge } from '../remote/sync-bridge.js';
import type { Leases } from '../store/leases.js';
import { pendingCounter, type EntryFilter, type EntryInfo, type EntryRecord, type HitCounter, type Store, type StoredValue, type StoreTotals } from '../store/store.js';
import { decodeRecord } from './record.js';
import { createRedisCore, resolveRedisOptions, type CodeParts, type EntryRange, type RedisCore, type RedisStoreOptions, type ResolvedRedisOptions, type RunCounts } from './redis-core.js';
import { parseRedisUrl } from './redis-url.js';

/**
 * What a sync call may take beyond its commands' own bound: the hop to the worker, and the watchdog's tick (a
 * quarter of the command timeout) before the worker's own failure arrives. The bridge adds the worker's start.
 */
const BRIDGE_MS = 1000;
/** Tool calls (list, totals, clear, blobInUse, the views' reads) walk indexes in many round trips. */
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

  /** The server and prefix, password redacted: for messages. */
  get where(): string {
    return `${parseRedisUrl(this.options.url).redacted} (prefix ${this.options.prefix})`;
  }

  // What the tools read (RedisView); each walks an index in the bridge's worker and only prunes stale index members.

  /** The live entries in a range, unordered: from the tag's index, else the function indexes. */
  entries(range?: EntryRange): EntryInfo[] {
    return this.call<EntryInfo[]>('entries', [range], TOOL_MS);
  }

  /** Entries whose key starts with `prefix`, in key order, at most `limit`. */
  find(prefix: string, limit: number): EntryInfo[] {
    return this.call<EntryInfo[]>('find', [prefix, limit], TOOL_MS);
  }

  /** Each function's recorded runs (hits, misses, their times). */
  runs(fn?: string): RunCounts {
    return this.call<RunCounts>('runs', [fn], TOOL_MS);
  }

  /** Each function's counts per UTC day, by day then function. */
  days(fn?: string): (HitCounter & { fn: string; day: string })[] {
    return this.call<(HitCounter & { fn: string; day: string })[]>('days', [fn], TOOL_MS);
  }

  code(fn: string, hash: string): CodeParts | undefined {
    return this.call<CodeParts | undefined>('code', [fn, hash]);
  }

  /** A counter every put, delete, clear and flush of any process bumps. */
  changes(): number {
    return this.call<number>('changes', []);
  }

  clear(filter?: EntryFilter): { entries: number; blobs: string[] } {
    return this.call<{ entries: number; blobs: string[] }>('clear', [filter], TOOL_MS);
  }

  /** Adds the pending counts to the functions' totals and today's counts; they stay pending when Redis cannot take them. */
  flush(): void {
    const dirty: RunCounts = [...this.counters].filter(([, c]) => c.hits > 0 || c.misses > 0).map(([fn, c]) => [fn, { ...c }]);
    if (dirty.length === 0 || this.closed) return;
    this.call<void>('addCounts', [dirty]);
    for (const [fn, sent] of dirty) {
      const counter = this.counters.get(fn)!;
      for (const name of Object.keys(sent) as (keyof HitCounter)[]) counter[name] -= sent[name];
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
    this.bridge_ ??= new SyncBridge({ module: new URL('../redis/redis-core.js', import.meta.url).href, factory: 'createRedisCore', args: [this.options] });
    return this.bridge_.call<T>(method, args, this.options.connectTimeoutMs + timeoutMs + BRIDGE_MS);
  }
}
