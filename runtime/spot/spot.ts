import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobStore } from '../blobs/blob-store.js';
import { FsBlobs } from '../blobs/fs-blobs.js';
import type { Codec } from '../codec/codec.js';
import { defaultCodec } from '../codec/default-codec.js';
import { FallbackLimitState } from '../limit/fallback-limit-state.js';
import { RateLimiter } from '../limit/gcra.js';
import { messageOf } from '../errors.js';
import { warnOnce } from '../log.js';
import { defaultCacheDir } from '../project-root.js';
import { withLocalBlobFallback, withLocalFallback } from '../remote/local-fallback.js';
import { isDamage, openSqliteStore, replaceDamaged } from '../store/open-sqlite.js';
import { SqliteStore } from '../store/sqlite-store.js';
import type { EntryFilter, EntryInfo, Store } from '../store/store.js';
import { watchExit } from './exit.js';
import { MemoryTier } from './memory-tier.js';
import { collectGarbage, type GcOptions, type GcResult } from './gc.js';
import { createCachedFunction, type ArgKeys } from './cached-function.js';
import { backendsFromEnv } from './env-backends.js';
import { nextSpotGeneration } from './generation.js';
import { markMethod } from './mark-method.js';
import { resolveMarkOptions, type MarkOptions } from './mark-options.js';
import { subscribe, type Subscription } from './event-hub.js';
import { checkSubscription, tellError, type SpotErrorEvent, type SpotEventKind, type SpotListener } from './events.js';
import { resolveSpotOptions, validateSpotName, type ResolvedSpotOptions, type SpotOptions } from './spot-options.js';
import { emptySession, type SessionStats, type SpotStats } from './stats.js';

/** The parts of an open spot, created on its first cached call. */
export interface SpotParts {
  store: Store;
  blobs: BlobStore;
  codec: Codec;
}

type AnyFunction = (...args: any[]) => any;

/** A failure as the code that met it reports it: the spot adds its name. */
export type SpotFailure = Omit<SpotErrorEvent, 'spot'>;

/**
 * One cache context: where entries live (store + blobs), how values are encoded, the rate limits and the
 * defaults of its functions. Nothing is opened until the first cached call.
 */
export class Spot {
  readonly settings: ResolvedSpotOptions;
  readonly session: SessionStats = emptySession();
  private parts_: SpotParts | undefined;
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly ids = new Map<string, AnyFunction>();
  /** @internal Executions under way, by key: concurrent calls with one key share one. */
  readonly inflight = new Map<string, Promise<unknown>>();
  private approx: { entries: number; bytes: number } | undefined;
  /**
   * The memory tiers of its functions, by key prefix (function id, version, code hash): shared by every wrapper
   * whose keys they would hold, so any of them can drop an entry.
   */
  private readonly memories = new Map<string, MemoryTier>();
  /** @internal The listeners of `on` and of the spot's options. */
  readonly subscriptions: Subscription[] = [];

  constructor(readonly name: string, private readonly options: SpotOptions = {}) {
    validateSpotName(name);
    this.settings = resolveSpotOptions(options);
    for (const [kind, listener] of Object.entries(this.settings.listeners ?? {})) {
      this.subscriptions.push({ kind: kind as SpotEventKind, listener, fn: undefined });
    }
    // Chosen at each booking: the store's shared state when it has one (store.limits), else this process.
    const state = new FallbackLimitState(() => this.parts().store.limits, error => this.report({ kind: 'limit', fn: '', error }));
    for (const [limitName, limit] of Object.entries({ ...options.limits, ...(options.limit ? { '': options.limit } : {}) })) {
      this.limiters.set(limitName, new RateLimiter(limit, { name: `${name}/${limitName || 'default'}`, state }));
    }
  }

  /** The cache directory (resolved on first use). */
  get dir(): string {
    return this.options.dir ?? defaultCacheDir();
  }

  /** Whether this spot prints a summary line at exit. */
  get wantsSummary(): boolean {
    return this.options.summary === true;
  }

  get isOpen(): boolean {
    return this.parts_ !== undefined;
  }

  /**
   * Opens the store and blob store if needed: the injected ones, else those `BEAUTYSPOT_STORE` / `BEAUTYSPOT_BLOBS`
   * name, else the SQLite file and blob files in the cache directory. A network store or blob store gets the local
   * ones as its tier for outages.
   */
  parts(): SpotParts {
    if (this.parts_) return this.parts_;
    const env = backendsFromEnv(this.name, error => this.report({ kind: 'open', fn: '', error }));
    const store = this.options.store ?? env.store;
    const blobs = this.options.blobs ?? env.blobs;
    const outage = (error: unknown): void => this.report({ kind: 'remote', fn: '', error });
    this.parts_ = {
      store: store === undefined ? this.localStore()
        : store.getAsync ? withLocalFallback(store, () => this.localStore(), outage, { hasLocal: () => existsSync(this.localFile) }) : store,
      blobs: blobs === undefined ? this.localBlobs() : blobs.getAsync ? withLocalBlobFallback(blobs, () => this.localBlobs(), outage) : blobs,
      codec: this.options.codec ?? defaultCodec(),
    };
    watchExit(this);
    return this.parts_;
  }

  /** The spot's SQLite file in the cache directory, opened so that a problem with it never stops a call. */
  private get localFile(): string {
    return join(this.dir, `${this.name}.sqlite`);
  }

  private localStore(): Store {
    const opened = openSqliteStore(this.localFile);
    if (opened.problem) this.report({ kind: 'open', fn: '', error: opened.problem });
    return this.watchFlushes(opened.store);
  }

  /** Damage found by a background flush (a page of hit counts, say) moves the file aside like damage found by a call. */
  private watchFlushes(store: Store): Store {
    if (store instanceof SqliteStore) store.onFlushError = error => isDamage(error) && this.report({ kind: 'bookkeeping', fn: '', error });
    return store;
  }

  private localBlobs(): BlobStore {
    return new FsBlobs(join(this.dir, `${this.name}.blobs`));
  }

  /**
   * Caches `fn`: `const fetchPage = spot.mark(async (url: string) => …, { ttl: '1d' })`.
   * Also a standard decorator for class methods: `@spot.mark` or `@spot.mark({ version: 2 })`.
   */
  mark<F extends AnyFunction>(fn: F, options?: MarkOptions<Parameters<F>>): F;
  mark<F extends AnyFunction>(method: F, context: ClassMethodDecoratorContext): F;
  mark(options?: MarkOptions): <F extends AnyFunction>(method: F, context: ClassMethodDecoratorContext) => F;
  mark(target?: AnyFunction | MarkOptions, second?: MarkOptions | ClassMethodDecoratorContext): unknown {
    if (typeof target !== 'function') {
      const options = resolveMarkOptions(target as MarkOptions | undefined, 'mark');
      return (method: AnyFunction, context: ClassMethodDecoratorContext) => markMethod(this, method, context, options);
    }
    if (isMethodContext(second)) return markMethod(this, target, second, resolveMarkOptions({}, 'mark'));
    const options = resolveMarkOptions(second as MarkOptions | undefined, 'mark');
    return createCachedFunction(this, target, options, {});
  }

  /**
   * Wraps a function you did not write (or one you want cached with other options) at the call site:
   * `const sim = spot.cachedRun(simulate, { version: 'v2' }); sim(data)`. `keys`: see the top-level `cachedRun`.
   */
  cachedRun<F extends AnyFunction>(fn: F, options?: MarkOptions<Parameters<F>>, keys?: ArgKeys): F {
    return createCachedFunction(this, fn, resolveMarkOptions(options, 'cachedRun'), { keys });
  }

  /**
   * Listens to the calls of this spot's functions, or (`{ fn: id }`) of one of them — the way to listen to annotated
   * functions, whose annotation cannot hold a function. Returns the function that stops listening.
   * - `hit`: served from the cache (`ms`: the lookup; `savedMs`: the entry's recorded compute time);
   * - `miss`: the body is about to run (`ms`: lookup and waits so far); access modes without `w` fire no store after it;
   * - `store`: the result was written (`ms`: encode and write; `computeMs`, `size`, `blob`);
   * - `error`: a failure off the caller's path (the `onError` event, with the call's `key` when there was a call).
   *
   * Each event carries `spot`, `fn`, `key` and `args` (per-parameter digests). Listeners run synchronously on the
   * call path, after the function's own (`onHit` … options of `mark`) and before the tools'; one that throws is
   * reported once and never breaks the call. Nothing is computed for events nobody listens to.
   * @example spot.on('miss', e => console.log(`running ${e.fn}`), { fn: 'src/crawl.ts#fetchPage' })
   */
  on<K extends SpotEventKind>(kind: K, listener: SpotListener<K>, options?: { fn?: string }): () => void {
    const fn = checkSubscription(kind, listener, options);
    return subscribe(this.subscriptions, kind, listener as (event: never) => unknown, fn);
  }

  /**
   * @internal Claims a function's entries for one function object: two different functions with one id,
   * version and code hash (two closures of one source, say) would read each other's results, so the second
   * one's first call is an error.
   */
  claimId(id: string, version: string, codeHash: string, fn: AnyFunction): void {
    const claim = `${id}\0${version}\0${codeHash}`;
    const owner = this.ids.get(claim);
    if (owner && owner !== fn) {
      throw new TypeError(`[beautyspot] two different functions are cached as "${id}" in spot "${this.name}" with the same ` +
        'source and version (two closures of one function?), so they would share entries. Give each a distinct name ' +
        'option (mark(fn, { name: "…" })), or a key option that tells their calls apart (key: (...args) => [captured, ...args]).');
    }
    this.ids.set(claim, fn);
  }

  /** @internal The rate limiter for a function's `limit` option. */
  limiter(name: string | false | undefined): RateLimiter | undefined {
    if (name === false) return undefined;
    const limiter = this.limiters.get(name ?? '');
    if (name !== undefined && !limiter) {
      const known = [...this.limiters.keys()].filter(Boolean);
      throw new TypeError(`[beautyspot] spot "${this.name}" has no limit named "${name}"` +
        (known.length ? `; it has ${known.map(k => `"${k}"`).join(', ')}` : '; define it with defineSpot(name, { limits: { … } })'));
    }
    return limiter;
  }

  /** @internal Whether any function of this spot has a memory tier (calls of the others then never look for one). */
  get hasMemoryTiers(): boolean {
    return this.memories.size > 0;
  }

  /**
   * @internal The memory tier of the calls whose keys start with `prefix` (one function id, version and code hash,
   * as latin1), with room for at least `size` entries; undefined (`size` omitted): only if one exists already.
   */
  memoryTier(prefix: string, fn: string, size?: number): MemoryTier | undefined {
    let tier = this.memories.get(prefix);
    if (size === undefined) return tier;
    if (!tier) this.memories.set(prefix, tier = new MemoryTier(fn, size));
    tier.size = Math.max(tier.size, size);
    return tier;
  }

  /** Drops the memory entries that deleting these entries from the store may affect: those of its function, else all. */
  private forget(filter: EntryFilter | undefined): void {
    for (const tier of this.memories.values()) if (filter?.fn === undefined || tier.fn === filter.fn) tier.clear();
  }

  /** @internal Called after each stored entry: keeps the cache under maxBytes / maxEntries. */
  afterWrite(size: number): void {
    const { maxBytes, maxEntries } = this.settings;
    if (maxBytes === undefined && maxEntries === undefined) return;
    const { store, blobs } = this.parts();
    if (this.approx) {
      this.approx.entries++;
      this.approx.bytes += size;
    } else {
      this.approx = store.totals(); // counts the entry just written
    }
    if ((maxEntries === undefined || this.approx.entries <= maxEntries) && (maxBytes === undefined || this.approx.bytes <= maxBytes)) return;
    // Evict to 90% of the limits so the next writes do not each evict again.
    const removed = store.evict({
      maxEntries: maxEntries === undefined ? undefined : Math.floor(maxEntries * 0.9),
      maxBytes: maxBytes === undefined ? undefined : Math.floor(maxBytes * 0.9),
    });
    for (const ref of removed.blobs) blobs.delete(ref);
    this.approx = undefined;
    this.forget(undefined);
  }

  /**
   * @internal Reports a failure that did not reach the caller: a warning line and the error listeners (the spot's,
   * the tools', and `own`, the function's `onError`).
   */
  report(failure: SpotFailure, own?: SpotListener<'error'>): void {
    this.session.errors++;
    const event: SpotErrorEvent = { spot: this.name, ...failure };
    const line = WARNING[event.kind]?.(this.name, event.fn, messageOf(event.error));
    if (line) warnOnce(line);
    tellError(event, this.subscriptions, own);
    if (event.kind !== 'open' && event.kind !== 'remote') this.replaceDamagedStore(event.error);
  }

  /**
   * A cache file found damaged after opening is moved aside and a fresh one started, at once: in place, so the
   * call under way stores its result there, and with a new generation, so call states take fresh hit counters.
   */
  private replaceDamagedStore(error: unknown): void {
    const parts = this.parts_;
    const opened = parts && replaceDamaged(parts.store, error);
    if (!opened) return;
    parts.store = this.watchFlushes(opened.store);
    nextSpotGeneration();
    if (opened.problem) this.report({ kind: 'open', fn: '', error: opened.problem });
  }

  /** Hits, misses, bytes and time saved in this process, plus totals of what is stored. */
  stats(): SpotStats {
    return { name: this.name, ...this.session, stored: this.parts().store.totals() };
  }

  /** Entries, newest first, optionally of one function (its id). */
  entries(options?: { fn?: string; limit?: number; offset?: number }): EntryInfo[] {
    return this.parts().store.list(options);
  }

  /** Deletes every entry (or those of one function id, or those a filter matches) and their blobs; returns how many. */
  clear(filter?: string | EntryFilter): number {
    const { store, blobs } = this.parts();
    const entries = typeof filter === 'string' ? { fn: filter } : filter;
    const removed = store.clear(entries);
    for (const ref of removed.blobs) blobs.delete(ref);
    this.approx = undefined;
    this.forget(entries);
    return removed.entries;
  }

  /** Deletes expired entries, evicts above the size limits and removes orphan blobs. */
  gc(options?: GcOptions): GcResult {
    this.forget(undefined);
    return collectGarbage(this, options);
  }

  /** Writes batched bookkeeping (hit counts, last access) now. */
  flush(): void {
    this.parts_?.store.flush();
  }

  /** @internal Writes batched bookkeeping, never throwing: damage it finds is reported (and the file moved aside). */
  flushQuietly(): void {
    try {
      this.flush();
    } catch (error) {
      if (isDamage(error)) this.report({ kind: 'bookkeeping', fn: '', error });
    }
  }

  /** Closes the store; the next cached call opens it again. */
  close(): void {
    this.flushQuietly();
    this.parts_?.store.close();
    this.parts_ = undefined;
    this.approx = undefined;
    this.forget(undefined);
    nextSpotGeneration();
  }
}

type Warning = (spot: string, fn: string, message: string) => string;

const aboutSpot: Warning = (spot, _fn, message) => `[beautyspot] spot "${spot}": ${message.replace(/^\[beautyspot\] /, '')}`;
const failed = (kind: string, consequence: string): Warning => (_spot, fn, message) => `[beautyspot] ${fn}: ${kind} failed (${message}); ${consequence}`;

/**
 * The warning line of each kind of failure off the caller's path, saying what it meant for the call. None for a
 * lease: it only costs that call its single-flight, and the write after it, which meets the same lock or full disk,
 * is what the warning is about.
 */
const WARNING: Record<SpotErrorEvent['kind'], Warning | undefined> = {
  open: aboutSpot,
  remote: aboutSpot,
  limit: (spot, _fn, message) => `[beautyspot] spot "${spot}": the rate-limit state shared with other processes failed ` +
    `(${message}); calls are limited in this process alone until it works again.`,
  read: failed('read', 'treated as a miss and recomputed.'),
  decode: failed('decode', 'treated as a miss and recomputed.'),
  encode: failed('encode', 'the result was returned but not cached.'),
  write: failed('write', 'the result was returned but not cached.'),
  evict: failed('evict', 'the result was returned but not cached.'),
  lease: undefined,
  bookkeeping: (spot, _fn, message) => `[beautyspot] spot "${spot}": writing hit counts and access times failed (${message}); results are unaffected.`,
};

/** Any decorator context (markMethod rejects the kinds that are not methods), never an options object. */
function isMethodContext(value: unknown): value is ClassMethodDecoratorContext {
  return typeof value === 'object' && value !== null && typeof (value as { kind?: unknown }).kind === 'string' && 'name' in value;
}
