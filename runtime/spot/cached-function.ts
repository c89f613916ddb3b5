import { hash } from 'node:crypto';
import { ACCESS_MODES, parseAccess, type Access } from '../access.js';
import { CacheMissError, CorruptEntryError } from '../errors.js';
import { writeDynamic } from '../keys/dynamic.js';
import { KeyWriter } from '../keys/key-writer.js';
import { KEY_FORMAT } from '../keys/tags.js';
import type { RateLimiter } from '../limit/gcra.js';
import { createDebug } from '../log.js';
import { EntryFlag, type ArgDigest, type HitCounter, type StoredValue } from '../store/store.js';
import { spotGeneration } from './generation.js';
import type { ResolvedMarkOptions } from './mark-options.js';
import type { Spot, SpotParts } from './spot.js';

type AnyFunction = (...args: any[]) => any;

/** What the compiler knows about a marked function and passes in. */
export interface CompiledKey {
  /** Stable id: module path relative to the project root + qualified name. */
  id: string;
  /** Hash of the normalised source (and of the project functions it calls). */
  codeHash: string;
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

export interface Wrapping {
  compiled?: CompiledKey;
  method?: Method;
}

/** Everything a call needs, computed on the first call (so marking at import opens nothing). */
interface CallState {
  /** The spot generation this state was built in: a redefined or closed spot makes it stale. */
  generation: number;
  spot: Spot;
  id: string;
  prefix: Buffer;
  access: Access;
  ttlMs: number | undefined;
  limiter: RateLimiter | undefined;
  parts: SpotParts;
  counter: HitCounter;
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
    const spot = s.spot;
    const keyThis = thisOfMethod || (thisOfReceiver && self !== undefined);
    const w = writers.pop() ?? new KeyWriter();
    let key: string;
    let digests: ArgDigest[] | undefined;
    try {
      w.reset();
      w.raw(s.prefix);
      writeArgs(w, self, args, options, how, keyThis);
      key = w.digest();
      if (s.access.read) {
        const hit = lookup(spot, s, key);
        if (hit !== MISS) {
          debug?.(`hit ${s.id} ${key.slice(0, 11)}`);
          return isAsync || (mayReturnPromise && hit.async) ? Promise.resolve(hit.value) : hit.value;
        }
      }
      debug?.(`miss ${s.id} ${key.slice(0, 11)}`);
      if (!s.access.exec) throw new CacheMissError(s.id);
      if (s.access.write) digests = argDigests(w, how, keyThis, options);
    } finally {
      writers.push(w);
    }
    const running = spot.inflight.get(key);
    if (running) return running;
    const cost = s.limiter ? (typeof options.cost === 'function' ? options.cost.apply(self, args) : options.cost) : 0;
    if (isAsync) {
      const promise = (async () => {
        if (s.limiter) await s.limiter.acquire(cost);
        const start = performance.now();
        const value = await fn.apply(self, args);
        save(spot, s, options, key, value, performance.now() - start, EntryFlag.async, digests);
        return value;
      })();
      return track(spot.inflight, key, promise);
    }
    s.limiter?.acquireSync(cost);
    const start = performance.now();
    const result = fn.apply(self, args);
    if (isThenable(result)) {
      // A non-async function that returns a promise: store what it resolves to.
      return track(spot.inflight, key, Promise.resolve(result).then(value => {
        save(spot, s, options, key, value, performance.now() - start, EntryFlag.async, digests);
        return value;
      }));
    }
    save(spot, s, options, key, result, performance.now() - start, 0, digests);
    return result;
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
  return {
    generation: spotGeneration,
    spot,
    id,
    prefix: Buffer.from(prefix.view()),
    access,
    ttlMs: options.ttlMs ?? spot.settings.ttlMs,
    limiter: spot.limiter(options.limit),
    parts,
    counter: parts.store.counter(id),
  };
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
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  w.args(n);
  for (let i = 0; i < n; i++) {
    w.mark();
    writeDynamic(w, args[i], how.compiled?.params[i] ?? `argument ${i + 1}`);
  }
}

function argDigests(w: KeyWriter, how: Wrapping, keyThis: boolean, options: ResolvedMarkOptions): ArgDigest[] {
  const names = options.key ? ['key'] : [...(keyThis ? ['this'] : []), ...(how.compiled?.params ?? [])];
  return w.marks.map((start, i) => {
    const end = w.marks[i + 1] ?? w.pos;
    return [names[i] ?? `#${i - (keyThis ? 1 : 0)}`, hash('sha256', w.view(start, end), 'hex').slice(0, 16)];
  });
}

const MISS = Symbol('miss');

/** The fast path: one prepared SELECT, one decode. Unreadable or expired entries are misses. */
function lookup(spot: Spot, s: CallState, key: string): { value: unknown; async: boolean } | typeof MISS {
  let row: StoredValue | undefined;
  try {
    row = s.parts.store.get(key);
  } catch (error) {
    spot.report({ kind: 'read', fn: s.id, error });
    return MISS;
  }
  if (row === undefined) return MISS;
  const now = Date.now();
  if (row.expiresAt !== null && row.expiresAt <= now) return MISS;
  let value: unknown;
  let size: number;
  try {
    const bytes = row.value ?? (row.blob !== null ? s.parts.blobs.get(row.blob) : undefined);
    if (bytes === undefined) throw new CorruptEntryError('[beautyspot] entry has neither a value nor a blob');
    size = bytes.length;
    value = s.parts.codec.decode(bytes);
  } catch (error) {
    spot.report({ kind: 'decode', fn: s.id, error });
    return MISS;
  }
  const session = spot.session;
  session.hits++;
  session.savedMs += row.computeMs;
  session.bytesRead += size;
  s.counter.hits++;
  s.counter.savedMs += row.computeMs;
  if (now - row.createdAt > ACCESS_RESOLUTION_MS) s.parts.store.touch(row.id, now);
  return { value, async: (row.flags & EntryFlag.async) !== 0 };
}

/** Stores a computed result. Never throws: the caller gets its result whatever happens here. */
function save(spot: Spot, s: CallState, options: ResolvedMarkOptions, key: string, value: unknown, computeMs: number,
  flags: number, digests: ArgDigest[] | undefined): void {
  const session = spot.session;
  session.misses++;
  session.computeMs += computeMs;
  if (!s.access.write || digests === undefined || s.parts.store.readonly) return;
  let bytes: Uint8Array;
  try {
    bytes = s.parts.codec.encode(value);
  } catch (error) {
    spot.report({ kind: 'encode', fn: s.id, error });
    return;
  }
  try {
    const toBlob = options.blob || bytes.length > spot.settings.blobThreshold;
    const now = Date.now();
    s.parts.store.put({
      key,
      fn: s.id,
      value: toBlob ? null : bytes,
      blob: toBlob ? s.parts.blobs.put(bytes) : null,
      size: bytes.length,
      createdAt: now,
      expiresAt: s.ttlMs === undefined ? null : now + s.ttlMs,
      computeMs,
      flags,
      args: digests,
      tags: options.tags,
    });
    session.writes++;
    session.bytesWritten += bytes.length;
  } catch (error) {
    spot.report({ kind: 'write', fn: s.id, error });
    return;
  }
  try {
    spot.afterWrite(bytes.length);
  } catch (error) {
    spot.report({ kind: 'evict', fn: s.id, error });
  }
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
