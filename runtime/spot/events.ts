import { messageOf } from '../errors.js';
import { warnOnce } from '../log.js';
import { checkOptionNames } from '../option-names.js';
import type { ArgDigest } from '../store/store.js';
import { isThenable } from '../thenable.js';
import { eventHub, type Subscription } from './event-hub.js';

/** What every call event says: which call of which function, and how long its step took. */
export interface CallEvent {
  /** The spot's name. */
  spot: string;
  /** The function id: the `name` option, else (compiled) `<file from the project root>#<qualified name>`, else its name. */
  fn: string;
  /** The entry's key: base64url SHA-256 of the key bytes (43 characters). */
  key: string;
  /** One digest per keyed argument, `[parameter name, 16 hex digits of SHA-256]`, as stored with the entry. */
  args: ArgDigest[];
  /** Milliseconds; what they cover depends on the event. */
  ms: number;
}

/** A call served from the cache. */
export interface HitEvent extends CallEvent {
  /** From the call to the value: key, lookup, decode (and a wait for another process computing the same call). */
  ms: number;
  /** The compute time recorded with the entry: what this hit saved. */
  savedMs: number;
  /** Present on a hit of the memory tier (`memory` option): the store was not read. */
  memory?: true;
}

/**
 * A call about to run the function's body, fired just before it starts: nothing usable was in the cache, or the
 * access mode does not read (`e`, `ew`). A mode without `w` (`re`, `e`) fires a miss and no store; a miss in mode
 * `r` runs nothing and fires nothing (the call throws CacheMissError).
 */
export interface MissEvent extends CallEvent {
  /** From the call to the body's start: key, lookup and any wait (rate limit, another process computing it). */
  ms: number;
}

/** A result written to the cache, fired once the entry is stored. */
export interface StoreEvent extends CallEvent {
  /** Encoding and writing the entry (blob included). */
  ms: number;
  /** How long the body ran. */
  computeMs: number;
  /** Encoded size in bytes. */
  size: number;
  /** The value went to the blob store. */
  blob: boolean;
}

/** What went wrong off the caller's path: the caller still got its result (or a recompute). */
export interface SpotErrorEvent {
  /** The spot's name. */
  spot: string;
  /**
   * `open`: the cache file could not be used as is (the spot runs read-only, uncached or on a fresh file).
   * `limit`: the rate-limit state shared with other processes failed; the call was limited in this process only.
   * `lease`: single-flight leases failed; the call computed without waiting for other processes.
   * `remote`: a network store or blob store cannot be reached; the local cache serves until it answers again.
   * `bookkeeping`: the cache file was found damaged while hit counts and access times were written in the background
   * (it is moved aside and a fresh one started, as for damage a call finds).
   */
  kind: 'open' | 'read' | 'decode' | 'encode' | 'write' | 'evict' | 'limit' | 'lease' | 'remote' | 'bookkeeping';
  /** The function id ('' for `open`, `limit` and `remote`). */
  fn: string;
  /** The key of the call it happened in, when it happened in one. */
  key?: string;
  error: unknown;
}

/** The events of `spot.on` and of the `onHit` / `onMiss` / `onStore` / `onError` options. */
export interface SpotEvents {
  hit: HitEvent;
  miss: MissEvent;
  store: StoreEvent;
  error: SpotErrorEvent;
}

export type SpotEventKind = keyof SpotEvents;
export type SpotListener<K extends SpotEventKind> = (event: SpotEvents[K]) => void;

/** The options that take a listener, and their events. Runtime only: an annotation cannot hold a function. */
export const EVENT_OPTIONS = { onHit: 'hit', onMiss: 'miss', onStore: 'store', onError: 'error' } as const;
export const EVENT_OPTION_NAMES = Object.keys(EVENT_OPTIONS) as (keyof typeof EVENT_OPTIONS)[];

/** Listeners given as options, by event. */
export type OwnListeners = { [K in SpotEventKind]?: SpotListener<K> };

/** For tools (`observeEvents`), not part of the API: a call about to wait for its rate limiter; `ms` is the wait ahead. */
export interface WaitEvent {
  spot: string;
  fn: string;
  key: string;
  ms: number;
}

/** For tools, not part of the API: a body finished, returned or threw; `ms` is how long it ran. */
export interface DoneEvent {
  spot: string;
  fn: string;
  key: string;
  ms: number;
  failed: boolean;
}

/**
 * Every event, as tools observe them (`observeEvents`; not part of the API). Hits come without their argument
 * digests: two SHA-256 a hit, which a progress display never reads.
 */
export interface ObservedEvents extends Omit<SpotEvents, 'hit'> {
  hit: Omit<HitEvent, 'args'>;
  wait: WaitEvent;
  done: DoneEvent;
}

export type ObservedKind = keyof ObservedEvents;
type Listener<K extends ObservedKind> = (event: ObservedEvents[K]) => unknown;

/** Checks `spot.on(kind, listener, options)`; returns the function id it is narrowed to. */
export function checkSubscription(kind: unknown, listener: unknown, options: unknown): string | undefined {
  const kinds = Object.values(EVENT_OPTIONS) as string[];
  if (typeof kind !== 'string' || !kinds.includes(kind)) {
    throw new TypeError(`[beautyspot] spot.on: ${JSON.stringify(kind) ?? String(kind)} is not an event; the events are ${kinds.join(', ')}`);
  }
  if (typeof listener !== 'function') throw new TypeError(`[beautyspot] spot.on("${kind}"): the listener must be a function, got ${describe(listener)}`);
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) throw new TypeError('[beautyspot] spot.on options must be an object: { fn: "<function id>" }');
  checkOptionNames(options, ['fn'], 'spot.on');
  const fn = (options as { fn?: unknown }).fn;
  if (fn !== undefined && (typeof fn !== 'string' || fn === '')) {
    throw new TypeError(`[beautyspot] spot.on option "fn" must be a function id (e.g. "src/crawl.ts#fetchPage"), got ${describe(fn)}`);
  }
  return fn as string | undefined;
}

/** The `onHit` / `onMiss` / `onStore` / `onError` options of a spot or a function; undefined when none is given. */
export function listenerOptions(options: Partial<Record<keyof typeof EVENT_OPTIONS, unknown>>, what: string): OwnListeners | undefined {
  let own: OwnListeners | undefined;
  for (const name of EVENT_OPTION_NAMES) {
    const listener = options[name];
    if (listener === undefined) continue;
    if (typeof listener !== 'function') throw new TypeError(`[beautyspot] ${what} option "${name}" must be a function, got ${describe(listener)}`);
    (own ??= {})[EVENT_OPTIONS[name]] = listener as never;
  }
  return own;
}

/**
 * The listeners one function's calls tell, resolved when listeners change (never per call): the function's own,
 * then its spot's, then the tools' — except for hits, whose tools (`toolHit`) are told apart, without digests.
 */
export type CallListeners = { [K in 'miss' | 'store' | 'wait' | 'done']?: Listener<K>[] } & {
  hit?: SpotListener<'hit'>[];
  toolHit?: Listener<'hit'>[];
};

/** Undefined when nobody listens to the function's calls. */
export function callListeners(fn: string, own: OwnListeners | undefined, spot: readonly Subscription[]): CallListeners | undefined {
  const tools = eventHub().observers;
  const found: Record<string, unknown[]> = {};
  const add = (name: keyof CallListeners, listeners: unknown[]): void => {
    if (listeners.length > 0) found[name] = listeners;
  };
  add('hit', matching('hit', fn, own, [spot]));
  add('toolHit', matching('hit', fn, undefined, [tools]));
  for (const kind of ['miss', 'store'] as const) add(kind, matching(kind, fn, own, [spot, tools]));
  for (const kind of ['wait', 'done'] as const) add(kind, matching(kind, fn, undefined, [tools]));
  return Object.keys(found).length > 0 ? found as CallListeners : undefined;
}

/** Tells an error to the function's own listener, the spot's, and the tools'. */
export function tellError(event: SpotErrorEvent, spot: readonly Subscription[], own: SpotListener<'error'> | undefined): void {
  tell(matching('error', event.fn, own && { error: own }, [spot, eventHub().observers]), event, 'error');
}

function matching<K extends ObservedKind>(kind: K, fn: string, own: OwnListeners | undefined, lists: readonly (readonly Subscription[])[]): Listener<K>[] {
  const listeners: Listener<K>[] = [];
  const mine = own?.[kind as SpotEventKind];
  if (mine) listeners.push(mine as unknown as Listener<K>);
  for (const list of lists) {
    for (const s of list) if (s.kind === kind && (s.fn === undefined || s.fn === fn)) listeners.push(s.listener as unknown as Listener<K>);
  }
  return listeners;
}

/** Listeners that threw: each is reported once. */
const failed = new WeakSet<object>();

/** Calls each listener; one that throws (or rejects) is reported once and never breaks the call. */
export function tell<E>(listeners: readonly ((event: E) => unknown)[], event: E, kind: ObservedKind): void {
  for (const listener of listeners) {
    try {
      const result = listener(event);
      if (isThenable(result)) result.then(undefined, error => complain(listener, kind, error));
    } catch (error) {
      complain(listener, kind, error);
    }
  }
}

function complain(listener: object, kind: ObservedKind, error: unknown): void {
  if (failed.has(listener)) return;
  failed.add(listener);
  warnOnce(`[beautyspot] a "${kind}" listener failed (${messageOf(error)}); the call went on. This listener's later ` +
    'failures are not reported: catch errors inside it.');
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
