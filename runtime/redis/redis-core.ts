import type { Bucket } from '../limit/limit-state.js';
import { ownerIsGone } from '../store/leases.js';
import type { CodeInfo, EntryFilter, EntryInfo, EntryRecord, HitCounter, StoredValue, StoreTotals } from '../store/store.js';
import { decodeRecord, encodeRecord } from './record.js';
import { RedisConnection } from './redis-connection.js';
import { RecordReads } from './record-reads.js';
import { RedisKeys } from './redis-keys.js';
import { ACQUIRE, COUNT, PUT, RELEASE, RENEW, RESERVE } from './redis-scripts.js';
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

/** Run counts to add, per function. */
export type RunCounts = [fn: string, counts: HitCounter][];

/** Which entries a tool reads: those matching every field given (`since` inclusive, `before` exclusive, by creation time). */
export interface EntryRange extends EntryFilter {
  since?: number;
}

/** What a code hash covered, as the first entry written with it recorded. */
export type CodeParts = Omit<CodeInfo, 'hash' | 'version'> & { seenAt: number };

const DEFAULT_PREFIX = 'beautyspot:';
const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 1500;
/** Metadata fetched per round of a tool walk (pipelined: one round trip per page). */
const PAGE = 512;
/** The metadata hash's fields; the last two are absent for records copied from stores written before schema v4. */
const META_FIELDS = ['fn', 'size', 'createdAt', 'expiresAt', 'computeMs', 'blob', 'args', 'tags', 'codeHash', 'version'];
const RUN_FIELDS = ['hits', 'saved_ms', 'misses', 'compute_ms'] as const;
const RUN_NAMES: Record<string, keyof HitCounter> = { hits: 'hits', saved_ms: 'savedMs', misses: 'misses', compute_ms: 'computeMs' };

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
  /** The (fn, code hash) pairs this core has recorded: each is written once per process. */
  private readonly codeSeen = new Set<string>();

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
    // So do its tags (another slot on a cluster: not in the entry's script): an index holds at least its entries.
    if (entry.blob !== null) writes.push(connection.send(keys.blobUsers(entry.blob), ['SADD', keys.blobUsers(entry.blob), entry.key]));
    for (const tag of entry.tags) writes.push(connection.send(keys.tagIndex(tag), ['SADD', keys.tagIndex(tag), entry.key]));
    const meta = [entry.fn, String(entry.size), String(entry.createdAt), entry.expiresAt === null ? '' : String(entry.expiresAt),
      String(entry.computeMs), entry.blob ?? '', JSON.stringify(entry.args), JSON.stringify(entry.tags),
      ...(entry.code ? [entry.code.hash, entry.code.version] : [])];
    writes.push(PUT.run(connection, [keys.entry(entry.key), keys.meta(entry.key)],
      [encodeRecord(entry), entry.expiresAt === null ? '' : String(Math.ceil(entry.expiresAt)), ...meta.flatMap((value, i) => [META_FIELDS[i]!, value])]));
    writes.push(connection.send(keys.fnIndex(entry.fn), ['ZADD', keys.fnIndex(entry.fn), String(entry.createdAt), entry.key]));
    writes.push(connection.send(keys.fns(), ['SADD', keys.fns(), entry.fn]));
    if (entry.code) writes.push(this.recordCode(entry.fn, entry.code, entry.createdAt));
    writes.push(this.changed());
    await Promise.all(writes);
  }

  /** The parts of a code hash, written once per function and hash (HSETNX: the first entry's record stays). */
  private async recordCode(fn: string, code: CodeInfo, at: number): Promise<void> {
    const parts = JSON.stringify({ body: code.body, deps: code.deps, seenAt: at } satisfies CodeParts);
    const id = `${fn}\0${code.hash}`;
    if (this.codeSeen.has(id)) return;
    await this.send(this.keys.code(fn), ['HSETNX', this.keys.code(fn), code.hash, parts]);
    this.codeSeen.add(id); // only once Redis took it
  }

  private changed(): Promise<unknown> {
    return this.send(this.keys.changes(), ['INCR', this.keys.changes()]);
  }

  async delete(key: string): Promise<void> {
    const info = metaInfo(key, await this.send(this.keys.meta(key), ['HMGET', this.keys.meta(key), ...META_FIELDS]) as (Buffer | null)[]);
    await this.send(this.keys.entry(key), ['DEL', this.keys.entry(key), this.keys.meta(key)]);
    await Promise.all([...(info ? this.unindex([info]) : []), this.changed()]);
  }

  /** Adds one flush's counts to each function's totals and to its counts of `day` (UTC, `YYYY-MM-DD`). */
  async addCounts(counts: RunCounts, day = new Date().toISOString().slice(0, 10)): Promise<void> {
    await Promise.all([...counts.flatMap(([fn, c]) => [
      COUNT.run(this.connection, [this.keys.stats(fn), this.keys.days(fn)], [day, String(c.hits), String(c.savedMs), String(c.misses), String(c.computeMs)]),
      this.send(this.keys.fns(), ['SADD', this.keys.fns(), fn]),
    ]), this.changed()]);
  }

  async totals(fn?: string): Promise<StoreTotals> {
    const totals = { entries: 0, bytes: 0, hits: 0, savedMs: 0, misses: 0, computeMs: 0 };
    const [entries, runs] = await Promise.all([this.entries({ fn }), this.runs(fn)]);
    totals.entries = entries.length;
    for (const entry of entries) totals.bytes += entry.size;
    for (const [, counts] of runs) for (const name of Object.values(RUN_NAMES)) totals[name] += counts[name];
    return totals;
  }

  /** Newest first, like SqliteStore. Walks the function indexes: a tool's call, not a hot path. */
  async list(options: { fn?: string; limit?: number; offset?: number } = {}): Promise<EntryInfo[]> {
    const all = await this.entries({ fn: options.fn });
    all.sort((a, b) => b.createdAt - a.createdAt || (a.key < b.key ? 1 : -1));
    const offset = options.offset ?? 0;
    return all.slice(offset, offset + (options.limit ?? 100));
  }

  /**
   * The live entries in a range, from the narrowest index: the tag's set, else the function indexes (by score for a
   * time range). Stale members (entry expired, deleted, rewritten without the tag) are dropped from the index read.
   */
  async entries(range: EntryRange = {}): Promise<EntryInfo[]> {
    const inRange = (info: EntryInfo): boolean => (range.fn === undefined || info.fn === range.fn) &&
      (range.since === undefined || info.createdAt >= range.since) && (range.before === undefined || info.createdAt < range.before);
    if (range.tag !== undefined) return (await this.tagged(range.tag)).filter(inRange);
    const all: EntryInfo[] = [];
    for (const name of await this.functions(range.fn)) all.push(...await this.entriesOf(name, range.since, range.before));
    return all;
  }

  /** Entries whose key starts with `prefix`, in key order: a walk over the function indexes' members (keys only). */
  async find(prefix: string, limit: number): Promise<EntryInfo[]> {
    const keys: string[] = [];
    for (const name of await this.functions(undefined)) {
      const index = this.keys.fnIndex(name);
      for (const key of (await this.send(index, ['ZRANGE', index, '0', '-1']) as Buffer[]).map(String)) if (key.startsWith(prefix)) keys.push(key);
    }
    const infos = await this.metas([...new Set(keys)].sort());
    return infos.filter(info => info !== undefined).slice(0, limit);
  }

  /** Each function's recorded runs (hits, misses and their times), from `s:{fn}`. */
  async runs(fn?: string): Promise<RunCounts> {
    const names = await this.functions(fn);
    const stats = await Promise.all(names.map(name => this.send(this.keys.stats(name), ['HMGET', this.keys.stats(name), ...RUN_FIELDS]) as Promise<(Buffer | null)[]>));
    return names.map((name, i) => [name, runCounter(RUN_FIELDS.map((field, j) => [field, stats[i]![j]] as const))]);
  }

  /** Each function's counts per UTC day, by day then function. */
  async days(fn?: string): Promise<(HitCounter & { fn: string; day: string })[]> {
    const names = await this.functions(fn);
    const hashes = await Promise.all(names.map(name => this.send(this.keys.days(name), ['HGETALL', this.keys.days(name)]) as Promise<Buffer[]>));
    const rows: (HitCounter & { fn: string; day: string })[] = [];
    names.forEach((name, i) => {
      const byDay = new Map<string, [string, Buffer][]>();
      const flat = hashes[i]!;
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const [day, field] = String(flat[j]).split(':');
        if (day && field) byDay.set(day, [...(byDay.get(day) ?? []), [field, flat[j + 1]!]]);
      }
      for (const [day, fields] of byDay) rows.push({ fn: name, day, ...runCounter(fields) });
    });
    return rows.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0));
  }

  /** The parts a code hash of the function covered; undefined when none (or a damaged one) was recorded. */
  async code(fn: string, hash: string): Promise<CodeParts | undefined> {
    const json = await this.send(this.keys.code(fn), ['HGET', this.keys.code(fn), hash]) as Buffer | null;
    if (json === null) return undefined;
    try {
      const parts = JSON.parse(String(json)) as CodeParts;
      return typeof parts.body === 'string' && Array.isArray(parts.deps) && typeof parts.seenAt === 'number' ? parts : undefined;
    } catch {
      return undefined;
    }
  }

  /** The counter every put, delete, clear and flush bumps. */
  async changes(): Promise<number> {
    return Number(await this.send(this.keys.changes(), ['GET', this.keys.changes()]) ?? 0);
  }

  /** Deletes every entry (or those the filter matches); returns the blob refs no entry uses any more. */
  async clear(filter: EntryFilter = {}): Promise<{ entries: number; blobs: string[] }> {
    let entries = 0;
    const infos = await this.entries(filter);
    for (const page of pages(infos)) {
      const deleted = await Promise.all(page.map(info => this.send(this.keys.entry(info.key), ['DEL', this.keys.entry(info.key), this.keys.meta(info.key)])));
      entries += deleted.filter(n => Number(n) > 0).length;
      await Promise.all(this.unindex(page));
    }
    // A whole function cleared: its index goes too, stale members and all.
    if (filter.tag === undefined && filter.before === undefined) {
      for (const name of await this.functions(filter.fn)) await this.send(this.keys.fnIndex(name), ['DEL', this.keys.fnIndex(name)]);
    }
    await this.changed();
    const refs = new Set(infos.flatMap(info => (info.blob === null ? [] : [info.blob])));
    const blobs: string[] = [];
    for (const ref of refs) if (!(await this.blobInUse(ref))) blobs.push(ref);
    return { entries, blobs };
  }

  /** Removes deleted entries from the indexes that list them: their function's, their blob's and their tags'. */
  private unindex(infos: EntryInfo[]): Promise<unknown>[] {
    const members = new Map<string, { command: string; keys: string[] }>();
    const add = (index: string, command: string, key: string): void => {
      const group = members.get(index) ?? { command, keys: [] };
      group.keys.push(key);
      members.set(index, group);
    };
    for (const info of infos) {
      add(this.keys.fnIndex(info.fn), 'ZREM', info.key);
      if (info.blob !== null) add(this.keys.blobUsers(info.blob), 'SREM', info.key);
      for (const tag of info.tags) add(this.keys.tagIndex(tag), 'SREM', info.key);
    }
    return [...members].map(([index, { command, keys }]) => this.send(index, [command, index, ...keys]));
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

  /** The function's live entries created in [since, before) from its index; members whose metadata is gone or names another function are dropped from it. */
  private async entriesOf(fn: string, since?: number, before?: number): Promise<EntryInfo[]> {
    const index = this.keys.fnIndex(fn);
    const keys = (await this.send(index, ['ZRANGEBYSCORE', index, since === undefined ? '-inf' : String(since),
      before === undefined ? '+inf' : `(${before}`]) as Buffer[]).map(String);
    return this.live(index, 'ZREM', keys, info => info.fn === fn);
  }

  /** The live entries carrying the tag, from its index; members whose entry is gone or no longer carries it are dropped. */
  private async tagged(tag: string): Promise<EntryInfo[]> {
    const index = this.keys.tagIndex(tag);
    const keys = (await this.send(index, ['SMEMBERS', index]) as Buffer[]).map(String);
    return this.live(index, 'SREM', keys, info => info.tags.includes(tag));
  }

  /** The metadata of an index's members; those that are gone or fail `belongs` are removed from the index. */
  private async live(index: string, remove: 'ZREM' | 'SREM', keys: string[], belongs: (info: EntryInfo) => boolean): Promise<EntryInfo[]> {
    const infos = await this.metas(keys);
    const stale = keys.filter((_, i) => !infos[i] || !belongs(infos[i]!));
    for (const page of pages(stale)) await this.send(index, [remove, index, ...page]);
    return infos.filter((info): info is EntryInfo => info !== undefined && belongs(info));
  }

  /** The metadata of each key (undefined when gone or damaged), one pipelined round of HMGETs per page. */
  private async metas(keys: string[]): Promise<(EntryInfo | undefined)[]> {
    const infos: (EntryInfo | undefined)[] = [];
    for (const page of pages(keys)) {
      const fields = await Promise.all(page.map(key => this.send(this.keys.meta(key), ['HMGET', this.keys.meta(key), ...META_FIELDS]))) as (Buffer | null)[][];
      page.forEach((key, i) => infos.push(metaInfo(key, fields[i]!)));
    }
    return infos;
  }
}

function metaInfo(key: string, fields: (Buffer | null)[]): EntryInfo | undefined {
  const [fn, size, createdAt, expiresAt, computeMs, blob, args, tags, codeHash, version] = fields.map(f => (f === null ? null : f.toString()));
  if (fn == null || size == null || createdAt == null || args == null || tags == null) return undefined;
  try {
    const [argList, tagList] = [JSON.parse(args) as unknown, JSON.parse(tags) as unknown];
    if (!Array.isArray(argList) || !Array.isArray(tagList)) return undefined;
    return { key, fn, size: Number(size), createdAt: Number(createdAt), accessedAt: Number(createdAt),
      expiresAt: expiresAt ? Number(expiresAt) : null, computeMs: Number(computeMs), blob: blob || null,
      args: argList as EntryInfo['args'], tags: tagList as string[], codeHash: codeHash ?? null, version: version ?? null };
  } catch {
    return undefined; // damaged metadata: listed as gone
  }
}

/** A counter from a hash's run fields (`hits`, `saved_ms`, …); absent fields are 0. */
function runCounter(fields: Iterable<readonly [field: string, value: Buffer | null | undefined]>): HitCounter {
  const counter: HitCounter = { hits: 0, savedMs: 0, misses: 0, computeMs: 0 };
  for (const [field, value] of fields) {
    const name = RUN_NAMES[field];
    if (name && value != null) counter[name] = Number(value);
  }
  return counter;
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
