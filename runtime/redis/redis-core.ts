import type { Bucket } from '../limit/limit-state.js';
import { ownerIsGone } from '../store/leases.js';
import type { EntryFilter, EntryInfo, EntryRecord, StoredValue, StoreTotals } from '../store/store.js';
import { decodeRecord, encodeRecord } from './record.js';
import { RedisConnection } from './redis-connection.js';
import { RecordReads } from './record-reads.js';
import { RedisKeys } from './redis-keys.js';
import { ACQUIRE, PUT, RELEASE, RENEW, RESERVE } from './redis-scripts.js';
import { parseRedisUrl } from './redis-url.js';

export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port[/db]`, `rediss://…` (TLS), `redis+cluster://host:port[,host:port…]`, `rediss+cluster://…`. */
  url: string;
  /** Prepended to every key (default `beautyspot:`, or the URL's `?prefix=`). */
  prefix?: string;
  /** How long the first commands wait for the first connection (default 1000 ms). */
  connectTimeoutMs?: number;
  /** How long any command may take before it counts as a failure, i.e. a miss (default 1500 ms). */
  commandTimeoutMs?: number;
}

/** Hit counts to add: [fn, hits, savedMs]. */
export type HitCounts = [fn: string, hits: number, savedMs: number][];

const DEFAULT_PREFIX = 'beautyspot:';
const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 1500;
/** Metadata fetched per round of a tool walk (pipelined: one round trip per page). */
const PAGE = 512;
const META_FIELDS = ['fn', 'size', 'createdAt', 'expiresAt', 'computeMs', 'blob', 'args', 'tags'];

export interface ResolvedRedisOptions {
  url: string;
  prefix: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

/** Checks the options and fills in the defaults (plain data: the sync bridge's worker gets a copy). */
export function resolveRedisOptions(options: RedisStoreOptions): ResolvedRedisOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[beautyspot] RedisStore options must be an object, e.g. { url: "redis://127.0.0.1:6379" }.');
  }
  const target = parseRedisUrl(options.url);
  const prefix = options.prefix ?? target.prefix ?? DEFAULT_PREFIX;
  if (typeof prefix !== 'string') throw new TypeError(`[beautyspot] RedisStore prefix must be a string, got ${typeof prefix}.`);
  return {
    url: options.url,
    prefix,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS),
  };
}

/** The factory the sync bridge's worker calls; the main thread uses it for the async forms. */
export function createRedisCore(options: ResolvedRedisOptions): RedisCore {
  return new RedisCore(options);
}

/** The store's whole protocol, async, over one connection. Every method takes and returns plain data. */
export class RedisCore {
  /** @internal */
  readonly connection: RedisConnection;
  private readonly keys: RedisKeys;
  private readonly reads: RecordReads;

  constructor(options: ResolvedRedisOptions) {
    const target = parseRedisUrl(options.url);
    this.connection = new RedisConnection(target, options.connectTimeoutMs, options.commandTimeoutMs);
    this.keys = new RedisKeys(options.prefix);
    this.reads = new RecordReads((key, args) => this.connection.send(key, args), target.mode === 'single');
  }

  /** The entry's record bytes, unverified (the sync path decodes them on its own thread), or null. */
  getRecord(key: string): Promise<Buffer | null> {
    return this.reads.getRecord(key, this.keys.entry(key));
  }

  /** One GET (or a place in the tick's MGET); the record is verified against its checksum (`CorruptEntryError` when damaged). */
  get(key: string): Promise<StoredValue | undefined> {
    return this.reads.get(key, this.keys.entry(key));
  }

  async put(entry: EntryRecord): Promise<void> {
    const { keys, connection } = this;
    const writes: Promise<unknown>[] = [];
    // The blob's use is recorded before the entry that makes it so (one connection keeps the order).
    if (entry.blob !== null) writes.push(connection.send(keys.blobUsers(entry.blob), ['SADD', keys.blobUsers(entry.blob), entry.key]));
    const meta = [entry.fn, String(entry.size), String(entry.createdAt), entry.expiresAt === null ? '' : String(entry.expiresAt),
      String(entry.computeMs), entry.blob ?? '', JSON.stringify(entry.args), JSON.stringify(entry.tags)];
    writes.push(PUT.run(connection, [keys.entry(entry.key), keys.meta(entry.key)],
      [encodeRecord(entry), entry.expiresAt === null ? '' : String(Math.ceil(entry.expiresAt)), ...META_FIELDS.flatMap((f, i) => [f, meta[i]!])]));
    writes.push(connection.send(keys.fnIndex(entry.fn), ['ZADD', keys.fnIndex(entry.fn), String(entry.createdAt), entry.key]));
    writes.push(connection.send(keys.fns(), ['SADD', keys.fns(), entry.fn]));
    await Promise.all(writes);
  }

  async delete(key: string): Promise<void> {
    const [fn, blob] = await this.send(this.keys.meta(key), ['HMGET', this.keys.meta(key), 'fn', 'blob']) as (Buffer | null)[];
    await this.send(this.keys.entry(key), ['DEL', this.keys.entry(key), this.keys.meta(key)]);
    await Promise.all([
      fn ? this.send(this.keys.fnIndex(fn.toString()), ['ZREM', this.keys.fnIndex(fn.toString()), key]) : null,
      blob?.length ? this.send(this.keys.blobUsers(blob.toString()), ['SREM', this.keys.blobUsers(blob.toString()), key]) : null,
    ]);
  }

  async addHits(counts: HitCounts): Promise<void> {
    await Promise.all(counts.flatMap(([fn, hits, savedMs]) => [
      this.send(this.keys.stats(fn), ['HINCRBY', this.keys.stats(fn), 'hits', String(hits)]),
      this.send(this.keys.stats(fn), ['HINCRBYFLOAT', this.keys.stats(fn), 'saved_ms', String(savedMs)]),
      this.send(this.keys.fns(), ['SADD', this.keys.fns(), fn]),
    ]));
  }

  async totals(fn?: string): Promise<StoreTotals> {
    const totals = { entries: 0, bytes: 0, hits: 0, savedMs: 0, misses: 0, computeMs: 0 };
    for (const name of await this.functions(fn)) {
      const [entries, stats] = await Promise.all([this.entriesOf(name),
        this.send(this.keys.stats(name), ['HMGET', this.keys.stats(name), 'hits', 'saved_ms']) as Promise<(Buffer | null)[]>]);
      totals.entries += entries.length;
      for (const entry of entries) totals.bytes += entry.size;
      totals.hits += Number(stats[0] ?? 0);
      totals.savedMs += Number(stats[1] ?? 0);
    }
    return totals;
  }

  /** Newest first, like SqliteStore. Walks the function indexes: a tool's call, not a hot path. */
  async list(options: { fn?: string; limit?: number; offset?: number } = {}): Promise<EntryInfo[]> {
    const all: EntryInfo[] = [];
    for (const name of await this.functions(options.fn)) all.push(...await this.entriesOf(name));
    all.sort((a, b) => b.createdAt - a.createdAt || (a.key < b.key ? 1 : -1));
    const offset = options.offset ?? 0;
    return all.slice(offset, offset + (options.limit ?? 100));
  }

  /** Deletes every entry (or those the filter matches); returns the blob refs no entry uses any more. */
  async clear(filter: EntryFilter = {}): Promise<{ entries: number; blobs: string[] }> {
    let entries = 0;
    const refs = new Set<string>();
    const whole = filter.tag === undefined && filter.before === undefined;
    for (const name of await this.functions(filter.fn)) {
      const infos = (await this.entriesOf(name)).filter(info =>
        (filter.tag === undefined || info.tags.includes(filter.tag)) && (filter.before === undefined || info.createdAt < filter.before));
      for (const page of pages(infos)) {
        const deleted = await Promise.all(page.map(info => this.send(this.keys.entry(info.key), ['DEL', this.keys.entry(info.key), this.keys.meta(info.key)])));
        entries += page.filter((_, i) => Number(deleted[i]) > 0).length;
        await Promise.all(page.filter(info => info.blob !== null).map(info => {
          refs.add(info.blob!);
          return this.send(this.keys.blobUsers(info.blob!), ['SREM', this.keys.blobUsers(info.blob!), info.key]);
        }));
      }
      if (whole) await this.send(this.keys.fnIndex(name), ['DEL', this.keys.fnIndex(name)]);
      else if (infos.length > 0) await this.send(this.keys.fnIndex(name), ['ZREM', this.keys.fnIndex(name), ...infos.map(info => info.key)]);
    }
    const blobs: string[] = [];
    for (const ref of refs) if (!(await this.blobInUse(ref))) blobs.push(ref);
    return { entries, blobs };
  }

  /**
   * Whether an entry still refers to the blob: its users' records are read (a blob entry's record is its header and
   * ref), users whose entry is gone or points elsewhere are dropped, and a record that cannot be read counts as a use.
   */
  async blobInUse(ref: string): Promise<boolean> {
    const users = this.keys.blobUsers(ref);
    const members = (await this.send(users, ['SMEMBERS', users]) as Buffer[]).map(String);
    let used = false;
    for (const page of pages(members)) {
      const records = await Promise.all(page.map(key => this.getRecord(key)));
      const stale = page.filter((key, i) => {
        const bytes = records[i];
        if (bytes === null) return true;
        try {
          return decodeRecord(key, bytes).blob !== ref;
        } catch {
          return false; // damaged: when unsure, the blob is in use
        }
      });
      used ||= stale.length < page.length;
      if (stale.length > 0) await this.send(users, ['SREM', users, ...stale]);
    }
    return used;
  }

  /** Takes the lease, or takes it over from a holder that was a process of this machine and is gone. */
  async acquireLease(key: string, owner: string, ms: number): Promise<boolean> {
    const lease = [this.keys.lease(key)];
    const reply = await ACQUIRE.run(this.connection, lease, [owner, leaseMs(ms)]);
    if (typeof reply === 'number') return reply === 1;
    const holder = String(reply);
    return ownerIsGone(holder) && (await ACQUIRE.run(this.connection, lease, [owner, leaseMs(ms), holder])) === 1;
  }

  renewLease(key: string, owner: string, ms: number): Promise<boolean> {
    return RENEW.run(this.connection, [this.keys.lease(key)], [owner, leaseMs(ms)]).then(reply => Number(reply) === 1);
  }

  async releaseLease(key: string, owner: string): Promise<void> {
    await RELEASE.run(this.connection, [this.keys.lease(key)], [owner]);
  }

  /** Books every bucket in one script on the server's clock; returns the wait in ms. */
  reserve(buckets: Bucket[]): Promise<number> {
    if (buckets.length === 0) return Promise.resolve(0);
    return RESERVE.run(this.connection, buckets.map(b => this.keys.bucket(b.id)),
      buckets.flatMap(b => [String(b.interval), String(b.burst), String(b.cost)])).then(reply => Number(String(reply)));
  }

  close(): void {
    this.connection.close();
  }

  private send(key: string, args: (string | Buffer)[]): Promise<unknown> {
    return this.connection.send(key, args);
  }

  private async functions(fn: string | undefined): Promise<string[]> {
    if (fn !== undefined) return [fn];
    return (await this.send(this.keys.fns(), ['SMEMBERS', this.keys.fns()]) as Buffer[]).map(String);
  }

  /** The function's live entries from its index; members whose metadata is gone (expired, deleted) are dropped from it. */
  private async entriesOf(fn: string): Promise<EntryInfo[]> {
    const index = this.keys.fnIndex(fn);
    const flat = (await this.send(index, ['ZRANGE', index, '0', '-1'])) as Buffer[];
    const infos: EntryInfo[] = [];
    for (const page of pages(flat.map(String))) {
      const metas = await Promise.all(page.map(key => this.send(this.keys.meta(key), ['HMGET', this.keys.meta(key), ...META_FIELDS]))) as (Buffer | null)[][];
      const stale: string[] = [];
      page.forEach((key, i) => {
        const info = metaInfo(key, metas[i]!);
        if (info?.fn === fn) infos.push(info);
        else stale.push(key);
      });
      if (stale.length > 0) await this.send(index, ['ZREM', index, ...stale]);
    }
    return infos;
  }
}

function metaInfo(key: string, fields: (Buffer | null)[]): EntryInfo | undefined {
  const [fn, size, createdAt, expiresAt, computeMs, blob, args, tags] = fields.map(f => (f === null ? null : f.toString()));
  if (fn == null || size == null || createdAt == null || args == null || tags == null) return undefined;
  try {
    return { key, fn, size: Number(size), createdAt: Number(createdAt), accessedAt: Number(createdAt),
      expiresAt: expiresAt ? Number(expiresAt) : null, computeMs: Number(computeMs), blob: blob || null,
      args: JSON.parse(args), tags: JSON.parse(tags), codeHash: null, version: null };
  } catch {
    return undefined; // damaged metadata: listed as gone
  }
}

function* pages<T>(items: T[]): Generator<T[]> {
  for (let i = 0; i < items.length; i += PAGE) yield items.slice(i, i + PAGE);
}

function leaseMs(ms: number): string {
  return String(Math.max(1, Math.ceil(ms)));
}

function positive(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`[beautyspot] RedisStore ${name} must be a number of milliseconds > 0, got ${String(value)}.`);
  }
  return value;
}
