import { hash } from 'node:crypto';
import { ACCESS_MODES, parseAccess, type Access } from '../access.js';
import { CacheMissError, CorruptEntryError } from '../errors.js';
import { argDigest } from '../keys/arg-digest.js';
import { writeDynamic } from '../keys/dynamic.js';
import { KeyWriter } from '../keys/key-writer.js';
import { KEY_FORMAT } from '../keys/tags.js';
import type { RateLimiter } from '../limit/gcra.js';
import { createDebug } from '../log.js';
import { EntryFlag, type ArgDigest, type CodeInfo, type EntryRecord, type HitCounter, type StoredValue } from '../store/store.js';
import { isThenable } from '../thenable.js';
import { eventHub, type EventHub } from './event-hub.js';
import { callListeners, tell, type CallListeners, type SpotListener } from './events.js';
import { spotGeneration } from './generation.js';
import type { ResolvedMarkOptions } from './mark-options.js';
import { freshValue, remembered, type MemoryTier } from './memory-tier.js';
import { awaitTurn, awaitTurnSync, type Flight, type FlightPolicy } from './single-flight.js';
import type { Spot, SpotFailure, SpotParts } from './spot.js';

type AnyFunction = (...args: any[]) => any;

/** What the compiler knows about a marked function and passes in. */
export interface CompiledKey {
  /** Stable id: module path relative to the project root + qualified name. */
  id: string;
  /** Hash of the normalised source (and of the project functions it calls). */
  codeHash: string;
  /** What the code hash covers, each part with its own hash (for `beautyspot why`); absent from older compilers. */
  code?: { body: string; deps: [name: string, hash: string][] };
  /** Parameter names, for per-parameter digests. */
  params: string[];
  /** Writes the arguments' key bytes, generated from their types; default: the dynamic encoder. */
  writeArgs?: (w: KeyWriter, args: unknown[], self: unknown) => void;
  /** The function returns a Promise by its declaration (true), surely does not (false), or its type cannot tell. */
  async?: boolean;
  /** The function's name as declared (an arrow wrapped in a call would lose it). */
  fnName?: string;
}

/** How a class method was decorated: `this` is part of the key of instance methods. */
export interface Method {
  name: string;
  static: boolean;
}

/**
 * A key writer the compiler generated from the parameter types of a function given to `cachedRun`: the function
 * keeps its run-time id and code hash, only its arguments are keyed by their types.
 */
export type ArgKeys = Pick<CompiledKey, 'params'> & Required<Pick<CompiledKey, 'writeArgs'>>;

export interface Wrapping {
  compiled?: CompiledKey;
  method?: Method;
  keys?: ArgKeys;
}

/** Everything a call needs, computed on the first call (so marking at import opens nothing). */
interface CallState {
  /** The spot generation this state was built in: a redefined or closed spot makes it stale. */
  generation: number;
  spot: Spot;
  id: string;
  /** The bytes every key of the function starts with: format, id, version, code hash. */
  prefix: Buffer;
  /** `prefix` as latin1: which memory tier holds the function's calls. */
  prefixKey: string;
  access: Access;
  ttlMs: number | undefined;
  limiter: RateLimiter | undefined;
  parts: SpotParts;
  counter: HitCounter;
  /** The code part of the key, recorded with each entry. */
  code: CodeInfo;
  /** The store answers over a network: async functions look up and store through its async forms. */
  remote: boolean;
  /** Cross-process single-flight, when the function both reads and writes (and its store shares leases). */
  flight: FlightPolicy | undefined;
  /** The longest execution of the function in this process, in ms (-1: none yet): see `worthALease`. */
  slowestMs: number;
  /** Its version tells when listeners were added or removed anywhere. */
  hub: EventHub;
  /** The hub version `listeners` was resolved at. */
  heardAt: number;
  /** Who listens to this function's calls; undefined: nobody, and calls compute nothing for events. */
  listeners: CallListeners | undefined;
  /** The function's own `onError`. */
  onError: SpotListener<'error'> | undefined;
  /** Its memory tier, when it has one and reads the cache. */
  memory: MemoryTier | undefined;
}

/** An entry written or read this recently counts as just used: its access is not recorded again. */
const ACCESS_RESOLUTION_MS = 60_000;

const debug = createDebug('beautyspot:call');
const writers: KeyWriter[] = [];

/** Builds the cached wrapper: same name, same length, same `this`; sync stays sync, async returns a Promise. */
export function createCachedFunction<F extends AnyFunction>(spotOf: Spot | (() => Spot), fn: F, options: ResolvedMarkOptions, how: Wrapping): F {
  // Validate arguments
  if (typeof fn !== 'function') throw new TypeError(`[beautyspot] mark needs a function, got ${fn === null ? 'null' : typeof fn}`);
  const kind = fn.constructor?.name;
  if (kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction') {
    throw new TypeError(`[beautyspot] ${fn.name || 'this function'} is a generator, which cannot be cached: its values are produced lazily. ` +
      'Collect them into an array in a normal function and cache that.');
  }
  const isAsync = how.compiled?.async ?? kind === 'AsyncFunction';
  // Whether a stored "produced by a promise" flag may make a hit a promise: not for a function known to be sync.
  const mayReturnPromise = isAsync || how.compiled?.async === undefined;
  // Compiled code keys `this` itself, from the plan. At run time an instance method's `this` is always keyed,
  // and so is the receiver of any other function whose source reads `this` (a hidden receiver must not let two
  // objects share entries); a `key` option says what identifies a call instead.
  const thisOfMethod = !how.compiled && how.method !== undefined && !how.method.static && options.key === undefined;
  const thisOfReceiver = !how.compiled && how.method === undefined && options.key === undefined && readsThis(fn);
  let state: CallState | undefined;

  const call = (self: unknown, args: unknown[]): unknown => {
    let s = state;
    if (s === undefined || s.generation !== spotGeneration) s = state = init(typeof spotOf === 'function' ? spotOf() : spotOf, fn, options, how, self);
    if (s.heardAt !== s.hub.version) listen(s, options);
    // The call is timed only when someone listens: -1 tells the rest of the call that nobody does.
    const start = s.listeners === undefined ? -1 : performance.now();
    const spot = s.spot;
    const keyThis = thisOfMethod || (thisOfReceiver && self !== undefined);
    // An async function on a network store looks up with a promise, after the key is made.
    const remote = isAsync && s.remote;
    const w = writers.pop() ?? new KeyWriter();
    let key: string;
    let memoryKey: string | undefined;
    let digests: ArgDigest[] | undefined;
    try {
      w.reset();
      w.raw(s.prefix);
      writeArgs(w, self, args, options, how, keyThis);
      // The memory tier keys a call by its arguments' key bytes themselves (a tier holds one key prefix), so that its hits take no digest.
      if (s.memory || (spot.hasMemoryTiers && spot.memoryTier(s.prefixKey, s.id))) memoryKey = w.latin1(s.prefix.length);
      if (s.memory) {
        const hit = recall(spot, s, s.memory, memoryKey!);
        if (hit !== undefined) {
          debug?.(`hit ${s.id} ${w.digest().slice(0, 11)} (memory)`);
          if (s.listeners) tellHit(s, w.digest(), s.listeners.hit && argDigests(w, how, keyThis, options), start, hit);
          return served(hit);
        }
      }
      key = w.digest();
      if (s.access.read && !remote) {
        const hit = lookup(spot, s, key);
        if (hit !== undefined) {
          debug?.(`hit ${s.id} ${key.slice(0, 11)}`);
          if (s.listeners) tellHit(s, key, s.listeners.hit && argDigests(w, how, keyThis, options), start, hit);
          keep(s, memoryKey, key, hit);
          return served(hit);
        }
        debug?.(`miss ${s.id} ${key.slice(0, 11)}`);
      }
      if (!s.access.exec && !remote) throw new CacheMissError(s.id);
      if (s.access.write || start >= 0) digests = argDigests(w, how, keyThis, options);
    } finally {
      writers.push(w);
    }
    const running = spot.inflight.get(key);
    if (running) return running;
    const cost = s.limiter ? (typeof options.cost === 'function' ? options.cost.apply(self, args) : options.cost) : 0;
    if (isAsync) return track(spot.inflight, key, runAsync(s, key, memoryKey, digests, cost, self, args, remote, start));
    return runSync(s, key, memoryKey, digests, cost, self, args, start);
  };

  /** A hit returns what the call would: a promise from a function that returns one. */
  const served = (hit: Hit): unknown => (isAsync || (mayReturnPromise && hit.async) ? Promise.resolve(hit.value) : hit.value);

  const runAsync = async (s: CallState, key: string, memoryKey: string | undefined, digests: ArgDigest[] | undefined, cost: number, self: unknown, args: unknown[],
    remote: boolean, start: number): Promise<unknown> => {
    const spot = s.spot;
    if (remote) {
      if (s.access.read) {
        const hit = await lookupAsync(spot, s, key);
        debug?.(`${hit === undefined ? 'miss' : 'hit'} ${s.id} ${key.slice(0, 11)}`);
        if (hit !== undefined) {
          if (start >= 0) tellHit(s, key, digests, start, hit);
          keep(s, memoryKey, key, hit);
          return hit.value;
        }
      }
      if (!s.access.exec) throw new CacheMissError(s.id);
    }
    let flight: Flight | undefined;
    // The store's leases are read at each call: a damaged store is replaced in place.
    const leases = worthALease(s) && s.parts.store.leases;
    if (leases) {
      const poll = async (): Promise<Hit | undefined> => remote ? lookupAsync(spot, s, key, true) : lookup(spot, s, key, true);
      const turn = await awaitTurn(leases, key, s.flight!, poll, error => fail(s, 'lease', error, key));
      if ('hit' in turn) {
        if (start >= 0) tellHit(s, key, digests, start, turn.hit);
        return turn.hit.value;
      }
      flight = turn.flight;
    }
    try {
      if (s.limiter) await s.limiter.acquire(cost, start < 0 ? undefined : ms => tellWait(s, key, ms));
      if (start >= 0) tellMiss(s, key, digests, start);
      const began = performance.now();
      let value: unknown;
      try {
        value = await fn.apply(self, args);
      } catch (error) {
        ran(s, key, began, start, true);
        throw error;
      }
      const took = ran(s, key, began, start, false);
      await (remote ? saveAsync : save)(spot, s, options, key, memoryKey, value, took, EntryFlag.async, digests);
      return value;
    } finally {
      await flight?.releaseAsync();
    }
  };

  const runSync = (s: CallState, key: string, memoryKey: string | undefined, digests: ArgDigest[] | undefined, cost: number, self: unknown, args: unknown[],
    start: number): unknown => {
    const spot = s.spot;
    let flight: Flight | undefined;
    const leases = worthALease(s) && s.parts.store.leases;
    if (leases) {
      const turn = awaitTurnSync(leases, key, s.flight!, () => lookup(spot, s, key, true), error => fail(s, 'lease', error, key));
      if ('hit' in turn) {
        if (start >= 0) tellHit(s, key, digests, start, turn.hit);
        return served(turn.hit);
      }
      flight = turn.flight;
    }
    try {
      s.limiter?.acquireSync(cost, start < 0 ? undefined : ms => tellWait(s, key, ms));
      if (start >= 0) tellMiss(s, key, digests, start);
      const began = performance.now();
      let result: unknown;
      try {
        result = fn.apply(self, args);
      } catch (error) {
        ran(s, key, began, start, true);
        throw error;
      }
      if (isThenable(result)) {
        // A non-async function that returns a promise: store what it resolves to, then give the lease up.
        const held = flight;
        flight = undefined;
        return track(spot.inflight, key, Promise.resolve(result).then(value => {
          save(spot, s, options, key, memoryKey, value, ran(s, key, began, start, false), EntryFlag.async, digests);
          return value;
        }, (error: unknown) => {
          ran(s, key, began, start, true);
          throw error;
        }).finally(() => held?.release()));
      }
      save(spot, s, options, key, memoryKey, result, ran(s, key, began, start, false), 0, digests);
      return result;
    } finally {
      flight?.release();
    }
  };

  const wrapper = isAsync
    ? function (this: unknown, ...args: unknown[]) {
      try {
        return call(this, args);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    : function (this: unknown, ...args: unknown[]) {
      return call(this, args);
    };
  Object.defineProperty(wrapper, 'name', { value: how.compiled?.fnName ?? fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as F;
}

function init(spot: Spot, fn: AnyFunction, options: ResolvedMarkOptions, how: Wrapping, self: unknown): CallState {
  const id = options.name ?? how.compiled?.id ?? methodId(how.method, self) ?? fn.name;
  if (!id) {
    throw new TypeError('[beautyspot] an anonymous function needs a name to be cached: mark(fn, { name: "…" }), ' +
      'so its entries can be found again by the next run');
  }
  const codeHash = !options.codeHash ? '' : how.compiled?.codeHash ?? hash('sha256', fn.toString(), 'hex').slice(0, 32);
  const env = process.env.BEAUTYSPOT_ACCESS;
  const access = (env ? parseAccess(env, 'BEAUTYSPOT_ACCESS') : undefined) ?? options.access ?? spot.settings.access ?? ACCESS_MODES.rew;
  // Two runtime functions that would share entries (two closures of one source) are refused, not mixed up.
  // Compiled ids are unique by construction (file + qualified name), and a reloaded module may re-mark its own.
  if (!how.compiled && options.key === undefined) spot.claimId(id, options.version, codeHash, fn);
  const prefix = new KeyWriter(64);
  prefix.tag(KEY_FORMAT);
  prefix.str(id);
  prefix.str(options.version);
  prefix.str(codeHash);
  const parts = spot.parts();
  const policy = spot.settings.singleFlight;
  const memory = options.memory ?? spot.settings.memory;
  const prefixKey = prefix.latin1();
  return {
    generation: spotGeneration,
    spot,
    id,
    prefix: Buffer.from(prefix.view()),
    prefixKey,
    access,
    ttlMs: options.ttlMs ?? spot.settings.ttlMs,
    limiter: spot.limiter(options.limit),
    parts,
    counter: parts.store.counter(id),
    code: { hash: codeHash, version: options.version, body: how.compiled?.code?.body ?? codeHash, deps: how.compiled?.code?.deps ?? [] },
    remote: typeof parts.store.getAsync === 'function',
    flight: policy && access.read && access.write && access.exec ? policy : undefined,
    slowestMs: -1,
    hub: eventHub(),
    heardAt: -1,
    listeners: undefined,
    onError: options.listeners?.error,
    memory: memory > 0 && access.read ? spot.memoryTier(prefixKey, id, memory) : undefined,
  };
}

/** Resolves who listens to the function's calls, after listeners were added or removed anywhere. */
function listen(s: CallState, options: ResolvedMarkOptions): void {
  s.listeners = callListeners(s.id, options.listeners, s.spot.subscriptions);
  s.heardAt = s.hub.version;
}

/**
 * Executions shorter than this are not worth coordinating: taking and giving back a lease costs about as much as
 * computing again (two SQLite commits, or two round trips to Redis).
 */
const LEASE_WORTH_MS = 1;

/**
 * Whether this miss takes a lease: always for a function not yet run in this process, and for rate-limited ones
 * (each execution is paid for); else only when one of its executions here took at least LEASE_WORTH_MS.
 */
function worthALease(s: CallState): boolean {
  return s.flight !== undefined && (s.slowestMs < 0 || s.slowestMs >= LEASE_WORTH_MS || s.limiter !== undefined);
}

/**
 * A body finished: the time since `began`, recorded as the function's slowest execution when it returned and is,
 * and told to the tools (`start` ≥ 0: someone listens).
 */
function ran(s: CallState, key: string, began: number, start: number, failed: boolean): number {
  const ms = performance.now() - began;
  if (!failed && ms > s.slowestMs) s.slowestMs = ms;
  const listeners = start >= 0 ? s.listeners?.done : undefined;
  if (listeners) tell(listeners, { spot: s.spot.name, fn: s.id, key, ms, failed }, 'done');
  return ms;
}

/** Tells a hit: with its argument digests to the function's and the spot's listeners, without them to the tools. */
function tellHit(s: CallState, key: string, digests: ArgDigest[] | undefined, start: number, hit: Hit): void {
  const { hit: listeners, toolHit: tools } = s.listeners ?? {};
  if (!listeners && !tools) return;
  const ms = performance.now() - start;
  const memory = hit.memory ? { memory: true as const } : undefined;
  if (listeners) tell(listeners, { spot: s.spot.name, fn: s.id, key, args: digests ?? [], ms, savedMs: hit.savedMs, ...memory }, 'hit');
  if (tools) tell(tools, { spot: s.spot.name, fn: s.id, key, ms, savedMs: hit.savedMs, ...memory }, 'hit');
}

function tellMiss(s: CallState, key: string, digests: ArgDigest[] | undefined, start: number): void {
  const listeners = s.listeners?.miss;
  if (listeners) tell(listeners, { spot: s.spot.name, fn: s.id, key, args: digests ?? [], ms: performance.now() - start }, 'miss');
}

function tellWait(s: CallState, key: string, ms: number): void {
  const listeners = s.listeners?.wait;
  if (listeners) tell(listeners, { spot: s.spot.name, fn: s.id, key, ms }, 'wait');
}

/** Reports a failure in a call of the function: the spot's warning and error listeners, and the function's own. */
function fail(s: CallState, kind: SpotFailure['kind'], error: unknown, key: string): void {
  s.spot.report({ kind, fn: s.id, key, error }, s.onError);
}

function methodId(method: Method | undefined, self: unknown): string | undefined {
  if (!method) return undefined;
  const owner = method.static ? (self as { name?: string }).name : (self as object | null)?.constructor?.name;
  return `${owner || 'anonymous class'}.${method.name}`;
}

/** The arguments' key bytes. Trailing `undefined`s are dropped: `f(1)` and `f(1, undefined)` are one entry. */
function writeArgs(w: KeyWriter, self: unknown, args: unknown[], options: ResolvedMarkOptions, how: Wrapping, keyThis: boolean): void {
  if (options.key) {
    w.mark();
    writeDynamic(w, options.key.apply(self, args), 'the key option\'s value');
    return;
  }
  if (how.compiled?.writeArgs) return how.compiled.writeArgs(w, args, self);
  if (keyThis) {
    w.mark();
    writeDynamic(w, self, 'this');
  }
  if (how.keys) return how.keys.writeArgs(w, args, self);
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  w.args(n);
  for (let i = 0; i < n; i++) {
    w.mark();
    writeDynamic(w, args[i], how.compiled?.params[i] ?? `argument ${i + 1}`);
  }
}

function argDigests(w: KeyWriter, how: Wrapping, keyThis: boolean, options: ResolvedMarkOptions): ArgDigest[] {
  const names = options.key ? ['key'] : [...(keyThis ? ['this'] : []), ...(how.compiled?.params ?? how.keys?.params ?? [])];
  const digests: ArgDigest[] = [];
  for (let i = 0; i < w.markCount; i++) {
    const end = i + 1 < w.markCount ? w.marks[i + 1]! : w.pos;
    digests.push([names[i] ?? `#${i - (keyThis ? 1 : 0)}`, argDigest(w.view(w.marks[i]!, end))]);
  }
  return digests;
}

/**
 * A found entry's value and its recorded compute time; a miss is `undefined`. `memory`: served by the memory tier;
 * `found`: read from the store, what the memory tier would keep of it.
 */
type Hit = { value: unknown; async: boolean; savedMs: number; memory?: true; found?: { bytes: Uint8Array; expiresAt: number | null } };

/** A lookup that failed is a miss, reported unless `quiet`. */
function missed(s: CallState, kind: 'read' | 'decode', error: unknown, key: string, quiet: boolean): void {
  if (!quiet) fail(s, kind, error, key);
}

/** The fastest path: an entry of the memory tier, as a fresh value; one that fails to decode is dropped (the store is read instead). */
function recall(spot: Spot, s: CallState, memory: MemoryTier, memoryKey: string): Hit | undefined {
  const entry = memory.get(memoryKey);
  if (entry === undefined) return undefined;
  let value: unknown;
  try {
    value = freshValue(entry, s.parts.codec);
  } catch {
    memory.delete(memoryKey);
    return undefined;
  }
  spot.session.hits++;
  spot.session.savedMs += entry.savedMs;
  s.counter.hits++;
  s.counter.savedMs += entry.savedMs;
  return { value, async: entry.async, savedMs: entry.savedMs, memory: true };
}

/**
 * The fast path: one prepared SELECT, one decode. Unreadable or expired entries are misses, reported unless
 * `quiet` (a lookup again while waiting for another process: the first one reported what it found).
 */
function lookup(spot: Spot, s: CallState, key: string, quiet = false): Hit | undefined {
  let row: StoredValue | undefined;
  try {
    row = s.parts.store.get(key);
  } catch (error) {
    missed(s, 'read', error, key, quiet);
    return undefined;
  }
  const now = Date.now();
  if (!live(row, now)) return undefined;
  let bytes: Uint8Array | undefined;
  try {
    bytes = row.value ?? (row.blob !== null ? s.parts.blobs.get(row.blob) : undefined);
  } catch (error) {
    missed(s, 'decode', error, key, quiet);
    return undefined;
  }
  return decoded(spot, s, key, row, bytes, now, quiet);
}

/** `lookup` through the store's and blob store's async forms (a network store), for async functions. */
async function lookupAsync(spot: Spot, s: CallState, key: string, quiet = false): Promise<Hit | undefined> {
  const { store, blobs } = s.parts;
  let row: StoredValue | undefined;
  try {
    row = await (store.getAsync ? store.getAsync(key) : store.get(key));
  } catch (error) {
    missed(s, 'read', error, key, quiet);
    return undefined;
  }
  const now = Date.now();
  if (!live(row, now)) return undefined;
  let bytes: Uint8Array | undefined;
  try {
    bytes = row.value ?? (row.blob !== null ? await (blobs.getAsync ? blobs.getAsync(row.blob) : blobs.get(row.blob)) : undefined);
  } catch (error) {
    missed(s, 'decode', error, key, quiet);
    return undefined;
  }
  return decoded(spot, s, key, row, bytes, now, quiet);
}

function live(row: StoredValue | undefined, now: number): row is StoredValue {
  return row !== undefined && (row.expiresAt === null || row.expiresAt > now);
}

/** Decodes a found entry's bytes and counts the hit; a failure is a miss. */
function decoded(spot: Spot, s: CallState, key: string, row: StoredValue, bytes: Uint8Array | undefined, now: number,
  quiet: boolean): Hit | undefined {
  let value: unknown;
  try {
    if (bytes === undefined) throw new CorruptEntryError('[beautyspot] entry has neither a value nor a blob');
    value = s.parts.codec.decode(bytes);
  } catch (error) {
    missed(s, 'decode', error, key, quiet);
    return undefined;
  }
  const session = spot.session;
  session.hits++;
  session.savedMs += row.computeMs;
  session.bytesRead += bytes.length;
  s.counter.hits++;
  s.counter.savedMs += row.computeMs;
  if (now - row.createdAt > ACCESS_RESOLUTION_MS) s.parts.store.touch(row.id, now);
  return { value, async: (row.flags & EntryFlag.async) !== 0, savedMs: row.computeMs, found: { bytes, expiresAt: row.expiresAt } };
}

/** Keeps an entry found in the store in the memory tier, if the function has one. */
function keep(s: CallState, memoryKey: string | undefined, key: string, hit: Hit): void {
  if (s.memory && memoryKey !== undefined && hit.found) remember(s, s.memory, memoryKey, key, hit.value, hit.found.bytes, hit.found.expiresAt, hit.async, hit.savedMs);
}

/** Keeps a result in the memory tier; one whose bytes do not decode is not kept. */
function remember(s: CallState, memory: MemoryTier, memoryKey: string, key: string, value: unknown, bytes: Uint8Array,
  expiresAt: number | null, async: boolean, savedMs: number): void {
  try {
    memory.set(memoryKey, remembered(value, bytes, s.parts.codec, expiresAt, async, savedMs));
  } catch (error) {
    memory.delete(memoryKey);
    fail(s, 'decode', error, key);
  }
}

/** A computed result, encoded, ready to store; undefined when it is not to be stored (or cannot be encoded). */
interface Pending {
  bytes: Uint8Array;
  toBlob: boolean;
  entry: Omit<EntryRecord, 'value' | 'blob'>;
}

/** Counts the miss and encodes the result for storing. Never throws. */
function prepare(spot: Spot, s: CallState, options: ResolvedMarkOptions, key: string, value: unknown, computeMs: number,
  flags: number, digests: ArgDigest[] | undefined): Pending | undefined {
  const session = spot.session;
  session.misses++;
  session.computeMs += computeMs;
  s.counter.misses++;
  s.counter.computeMs += computeMs;
  if (!s.access.write || digests === undefined || s.parts.store.readonly) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = s.parts.codec.encode(value);
  } catch (error) {
    fail(s, 'encode', error, key);
    return undefined;
  }
  const now = Date.now();
  return {
    bytes,
    toBlob: options.blob || bytes.length > spot.settings.blobThreshold,
    entry: {
      key,
      fn: s.id,
      size: bytes.length,
      createdAt: now,
      expiresAt: s.ttlMs === undefined ? null : now + s.ttlMs,
      computeMs,
      flags,
      args: digests,
      tags: options.tags,
      code: s.code,
    },
  };
}

/** Counts what was stored, keeps the cache under its size limits and tells the store listeners (`began`: the encode's start, taken only for them). */
function stored(spot: Spot, s: CallState, { entry, toBlob, bytes }: Pending, memoryKey: string | undefined, value: unknown,
  began: number): void {
  // What this process remembers of the call is now this result; a wrapper without a memory tier (`ew`, say) drops it.
  if (memoryKey !== undefined) {
    if (s.memory) remember(s, s.memory, memoryKey, entry.key, value, bytes, entry.expiresAt, (entry.flags & EntryFlag.async) !== 0, entry.computeMs);
    else spot.memoryTier(s.prefixKey, s.id)?.delete(memoryKey);
  }
  spot.session.writes++;
  spot.session.bytesWritten += entry.size;
  try {
    spot.afterWrite(entry.size);
  } catch (error) {
    fail(s, 'evict', error, entry.key);
  }
  const listeners = s.listeners?.store;
  if (listeners) {
    tell(listeners, { spot: spot.name, fn: s.id, key: entry.key, args: entry.args, ms: performance.now() - began,
      computeMs: entry.computeMs, size: entry.size, blob: toBlob }, 'store');
  }
}

/** Stores a computed result. Never throws: the caller gets its result whatever happens here. */
function save(spot: Spot, s: CallState, options: ResolvedMarkOptions, key: string, memoryKey: string | undefined, value: unknown, computeMs: number,
  flags: number, digests: ArgDigest[] | undefined): void {
  const began = s.listeners?.store ? performance.now() : 0;
  const pending = prepare(spot, s, options, key, value, computeMs, flags, digests);
  if (!pending) return;
  const { bytes, toBlob, entry } = pending;
  try {
    s.parts.store.put({ ...entry, value: toBlob ? null : bytes, blob: toBlob ? s.parts.blobs.put(bytes) : null });
  } catch (error) {
    fail(s, 'write', error, key);
    return;
  }
  stored(spot, s, pending, memoryKey, value, began);
}

/** `save` through the async forms of a network store. Never rejects. */
async function saveAsync(spot: Spot, s: CallState, options: ResolvedMarkOptions, key: string, memoryKey: string | undefined, value: unknown, computeMs: number,
  flags: number, digests: ArgDigest[] | undefined): Promise<void> {
  const began = s.listeners?.store ? performance.now() : 0;
  const pending = prepare(spot, s, options, key, value, computeMs, flags, digests);
  if (!pending) return;
  const { bytes, toBlob, entry } = pending;
  const { store, blobs } = s.parts;
  try {
    const blob = toBlob ? await (blobs.putAsync ? blobs.putAsync(bytes) : blobs.put(bytes)) : null;
    const record = { ...entry, value: toBlob ? null : bytes, blob };
    await (store.putAsync ? store.putAsync(record) : store.put(record));
  } catch (error) {
    fail(s, 'write', error, key);
    return;
  }
  stored(spot, s, pending, memoryKey, value, began);
}

function track<T>(inflight: Map<string, Promise<unknown>>, flight: string, promise: Promise<T>): Promise<T> {
  inflight.set(flight, promise);
  const done = (): void => {
    inflight.delete(flight);
  };
  promise.then(done, done);
  return promise;
}

/** An arrow function's `this` is its creator's, whatever the receiver. */
const ARROW = /^(?:async\s*)?(?:\([^)]*\)|[\p{L}_$][\p{L}\p{N}_$]*)\s*=>/u;

function readsThis(fn: AnyFunction): boolean {
  const source = fn.toString();
  return /\b(?:this|super)\b/.test(source) && !ARROW.test(source);
}
