import { CorruptEntryError } from '../errors.js';
import type { LimitState } from '../limit/limit-state.js';
import type { Leases } from '../store/leases.js';
import { NoStore } from '../store/no-store.js';
import type { EntryFilter, EntryInfo, EntryRecord, HitCounter, SizeLimits, Store, StoredValue, StoreTotals } from '../store/store.js';
import { MemoryLimitState } from '../limit/memory-limit-state.js';
import { Outage } from './outage.js';
import { Replay } from './replay.js';

export { withLocalBlobFallback } from './local-blob-fallback.js';

export interface FallbackOptions {
  /** While the remote is down, how often a call tries it again (ms); calls in between use the local tier at once. Default 1000. */
  retryMs?: number;
  /** Whether the local store holds anything yet (its file exists): a remote miss opens it only then, so a machine
   *  that never had an outage or a local-only run gets no local file. Default: always look. */
  hasLocal?: () => boolean;
}

/** How many entries written locally during an outage a sync call copies up once the remote answers again. */
const REPLAY_PER_CALL = 16;
/** The id of entries served by the local tier: `touch` ignores it (the local tier is not evicted by use: it empties as entries move up). */
const LOCAL_ID = -1;
/** What a lookup gives when the remote did not answer (undefined is its miss). */
const LOCAL_ONLY: unique symbol = Symbol('local only');
type Lookup = StoredValue | undefined | typeof LOCAL_ONLY;

/**
 * A remote store with the spot's local store (`local`, opened on first need) as the tier for outages. The
 * remote is the truth; the local tier keeps only what could not reach it:
 * - get: the remote; when it cannot answer, the local store. A remote miss also looks locally (entries written
 *   during an earlier outage or by an earlier local-only run), and an entry found there moves up to the remote.
 * - put: the remote; when it cannot answer, the local store, and the entry moves up once the remote answers.
 * - leases and limits: the remote's; when it cannot answer, the local store's (shared on this machine), else
 *   leases are granted (no single-flight during an outage) and limits hold within this process.
 * A damaged remote entry is a miss, never looked up elsewhere. `report` hears of each outage once.
 */
export function withLocalFallback(remote: Store, local: () => Store, report: (error: unknown) => void, options: FallbackOptions = {}): Store {
  return new FallbackStore(remote, local, report, new Outage('store', report, options.retryMs), options.hasLocal ?? (() => true));
}

class FallbackStore implements Store {
  readonly getAsync?: (key: string) => Promise<StoredValue | undefined>;
  readonly putAsync?: (entry: EntryRecord) => Promise<void>;
  readonly leases?: Leases;
  readonly limits?: LimitState;
  private opened: Store | undefined;
  /** Keys written to the local store because the remote could not take them. */
  private readonly pending = new Replay(REPLAY_PER_CALL);

  constructor(private readonly remote: Store, private readonly openLocal: () => Store, private readonly report: (error: unknown) => void,
    private readonly outage: Outage, private readonly hasLocal: () => boolean) {
    if (remote.getAsync) this.getAsync = key => this.getFromAsync(remote.getAsync!.bind(remote), key);
    if (remote.putAsync) this.putAsync = entry => this.putToAsync(remote.putAsync!.bind(remote), entry);
    if (remote.leases) this.leases = fallbackLeases(remote.leases, () => this.local().leases, outage);
    if (remote.limits) {
      const inProcess = new MemoryLimitState();
      this.limits = fallbackLimits(remote.limits, () => this.local().limits ?? inProcess, outage);
    }
  }

  get readonly(): boolean | undefined {
    return this.remote.readonly;
  }

  get(key: string): StoredValue | undefined {
    const found = this.outage.attempt<Lookup>(() => this.remote.get(key), () => LOCAL_ONLY);
    if (found === LOCAL_ONLY) return this.fromLocal(key);
    this.replaySome();
    if (found) return found;
    return this.fromLocal(key, (record) => this.moveUp(record));
  }

  put(entry: EntryRecord): void {
    const sent = this.outage.attempt(() => {
      this.remote.put(entry);
      return true;
    }, () => false);
    if (!sent) return this.putLocal(entry);
    this.sent(entry.key);
    this.replaySome();
  }

  private async getFromAsync(getAsync: (key: string) => Promise<StoredValue | undefined>, key: string): Promise<StoredValue | undefined> {
    const found = await this.outage.attemptAsync<Lookup>(() => getAsync(key), () => LOCAL_ONLY);
    if (found === LOCAL_ONLY) return this.fromLocal(key);
    this.replayInBackground();
    if (found) return found;
    return this.fromLocal(key, record => void this.moveUpAsync(record).catch(() => {
      // the local copy could not be dropped: it is moved up again later, harmlessly
    }));
  }

  private async putToAsync(putAsync: (entry: EntryRecord) => Promise<void>, entry: EntryRecord): Promise<void> {
    const sent = await this.outage.attemptAsync(() => putAsync(entry).then(() => true), () => false);
    if (!sent) return this.putLocal(entry);
    this.sent(entry.key);
    this.replayInBackground();
  }

  /** The local entry of `key`, if any; `moveUp` gets its whole record when it should be copied to the remote. */
  private fromLocal(key: string, moveUp?: (record: EntryRecord) => void): StoredValue | undefined {
    if (!this.opened && !this.hasLocal()) return undefined;
    const local = this.local();
    const found = local.get(key);
    if (!found) return undefined;
    if (moveUp && !this.remote.readonly) {
      const record = local.record?.(key, found);
      if (record && !expired(record)) moveUp(record);
    }
    return { ...found, id: LOCAL_ID };
  }

  private putLocal(entry: EntryRecord): void {
    this.local().put(entry);
    this.pending.add(entry.key);
  }

  /** The remote has `key` now: an older local copy must not be copied over it. */
  private sent(key: string): void {
    if (this.pending.delete(key)) this.local().delete(key);
  }

  /** Copies an entry to the remote and drops the local copy; when the remote fails, it stays pending. */
  private moveUp(record: EntryRecord): boolean {
    return this.moved(record, this.outage.attempt(() => {
      this.remote.put(record);
      return true;
    }, () => false));
  }

  private async moveUpAsync(record: EntryRecord): Promise<boolean> {
    const putAsync = this.remote.putAsync?.bind(this.remote);
    if (!putAsync) return this.moveUp(record);
    return this.moved(record, await this.outage.attemptAsync(() => putAsync(record).then(() => true), () => false));
  }

  private moved(record: EntryRecord, sent: boolean): boolean {
    if (sent) this.local().delete(record.key);
    else this.pending.add(record.key);
    return sent;
  }

  /** The record of a pending key; undefined when there is nothing (valid) to copy. */
  private takePending(key: string): EntryRecord | undefined {
    const local = this.local();
    let found: StoredValue | undefined;
    try {
      found = local.get(key);
    } catch (error) {
      if (error instanceof CorruptEntryError) return undefined; // damaged locally: nothing to copy
      throw error;
    }
    const record = found && local.record?.(key, found);
    if (record && !expired(record)) return record;
    local.delete(key);
    return undefined;
  }

  private replaySome(): void {
    this.pending.some(key => {
      const record = this.takePending(key);
      return !record || this.moveUp(record);
    });
  }

  private replayInBackground(): void {
    this.pending.inBackground(async key => {
      const record = this.takePending(key);
      return !record || this.moveUpAsync(record);
    });
  }

  /** The local store, opened on first need; one that cannot open is a store of nothing. */
  private local(): Store {
    if (this.opened) return this.opened;
    try {
      this.opened = this.openLocal();
    } catch (error) {
      this.report(error);
      this.opened = new NoStore();
    }
    return this.opened;
  }

  touch(id: number, at: number): void {
    if (id !== LOCAL_ID) this.remote.touch(id, at);
  }

  counter(fn: string): HitCounter {
    return this.remote.counter(fn);
  }

  delete(key: string): void {
    this.pending.delete(key);
    this.local().delete(key);
    this.remote.delete(key);
  }

  clear(filter?: EntryFilter): { entries: number; blobs: string[] } {
    const local = this.local().clear(filter);
    const remote = this.remote.clear(filter);
    // A blob the local rows no longer use may still be used by remote rows (the blob store deletes both copies).
    const unused = new Set([...remote.blobs, ...local.blobs.filter(ref => !this.remote.blobInUse(ref))]);
    return { entries: remote.entries + local.entries, blobs: [...unused] };
  }

  evict(limits: SizeLimits): { entries: number; bytes: number; blobs: string[] } {
    return this.remote.evict(limits);
  }

  deleteExpired(now: number): { entries: number; blobs: string[] } {
    return this.remote.deleteExpired(now);
  }

  blobInUse(ref: string): boolean {
    return this.remote.blobInUse(ref);
  }

  totals(fn?: string): StoreTotals {
    return this.remote.totals(fn);
  }

  list(options?: { fn?: string; limit?: number; offset?: number }): EntryInfo[] {
    return this.remote.list(options);
  }

  flush(): void {
    try {
      this.remote.flush();
    } finally {
      this.opened?.flush();
    }
  }

  close(): void {
    try {
      this.remote.close();
    } finally {
      this.opened?.close();
    }
  }
}

function expired(record: EntryRecord): boolean {
  return record.expiresAt !== null && record.expiresAt <= Date.now();
}

function fallbackLeases(remote: Leases, local: () => Leases | undefined, outage: Outage): Leases {
  const leases: Leases = {
    acquire: (key, owner, ms) => outage.attempt(() => remote.acquire(key, owner, ms), () => local()?.acquire(key, owner, ms) ?? true),
    renew: (key, owner, ms) => outage.attempt(() => remote.renew(key, owner, ms), () => local()?.renew(key, owner, ms) ?? true),
    release: (key, owner) => outage.attempt(() => remote.release(key, owner), () => local()?.release(key, owner)),
  };
  if (remote.acquireAsync) {
    const acquireAsync = remote.acquireAsync.bind(remote);
    leases.acquireAsync = (key, owner, ms) => outage.attemptAsync(() => acquireAsync(key, owner, ms), () => local()?.acquire(key, owner, ms) ?? true);
  }
  if (remote.renewAsync) {
    const renewAsync = remote.renewAsync.bind(remote);
    leases.renewAsync = (key, owner, ms) => outage.attemptAsync(() => renewAsync(key, owner, ms), () => local()?.renew(key, owner, ms) ?? true);
  }
  if (remote.releaseAsync) {
    const releaseAsync = remote.releaseAsync.bind(remote);
    leases.releaseAsync = (key, owner) => outage.attemptAsync(() => releaseAsync(key, owner), () => local()?.release(key, owner));
  }
  return leases;
}

function fallbackLimits(remote: LimitState, local: () => LimitState, outage: Outage): LimitState {
  const limits: LimitState = {
    reserve: buckets => outage.attempt(() => remote.reserve(buckets), () => local().reserve(buckets)),
  };
  if (remote.reserveAsync) {
    const reserveAsync = remote.reserveAsync.bind(remote);
    limits.reserveAsync = buckets => outage.attemptAsync(() => reserveAsync(buckets), () => local().reserve(buckets));
  }
  return limits;
}
