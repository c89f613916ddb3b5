import { parseAccess, type Access, type AccessMode } from '../access.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Codec } from '../codec/codec.js';
import { parseDuration, type Duration } from '../duration.js';
import type { LimitOptions } from '../limit/gcra.js';
import { checkOptionNames } from '../option-names.js';
import { EVENT_OPTION_NAMES, listenerOptions, type OwnListeners, type SpotListener } from './events.js';
import { DEFAULT_FLIGHT, type FlightPolicy } from './single-flight.js';
import type { Store } from '../store/store.js';

export interface SpotOptions {
  /** Cache directory. Default: $BEAUTYSPOT_DIR, else `.beautyspot/` in the project root (nearest package.json). */
  dir?: string;
  /** The index. Default: a SqliteStore in `<dir>/<name>.sqlite`. */
  store?: Store;
  /** Where large values go. Default: FsBlobs in `<dir>/<name>.blobs/`. */
  blobs?: BlobStore;
  /** Value codec. Default: the shared codec that `registerType` teaches. */
  codec?: Codec;
  /** Default ttl of this spot's functions. */
  ttl?: Duration;
  /** Default access mode of this spot's functions ($BEAUTYSPOT_ACCESS overrides both). */
  access?: AccessMode;
  /** Rate limit for every marked function of this spot (only executions count, hits never wait). */
  limit?: LimitOptions;
  /** Named rate limits, picked per function with `limit: 'name'`. */
  limits?: Record<string, LimitOptions>;
  /** Values whose encoding is larger than this many bytes go to the blob store. Default 64 KiB. */
  blobThreshold?: number;
  /** Evict least-recently-used entries above this total encoded size, in bytes. */
  maxBytes?: number;
  /** Evict least-recently-used entries above this many entries. */
  maxEntries?: number;
  /** Default `memory` of this spot's functions: keep the last N results of each in this process's memory. Default 0 (off). */
  memory?: number;
  /** Print a one-line summary at process exit (also $BEAUTYSPOT_SUMMARY=1). */
  summary?: boolean;
  /**
   * When several processes call a function with the same arguments at once, one computes and the others wait for
   * its result (default true, on stores that share leases: SQLite, Redis). `lease`: how long a holder keeps the
   * key without renewing (a crashed one loses it then; async holders renew); `wait`: how long others wait before
   * computing themselves.
   */
  singleFlight?: boolean | { lease?: Duration; wait?: Duration };
  /** Called on each hit of the spot's functions (also `spot.on('hit', …)`, which can narrow to one function). */
  onHit?: SpotListener<'hit'>;
  /** Called when a call of the spot's functions is about to run the body. */
  onMiss?: SpotListener<'miss'>;
  /** Called after a result is written to the cache. */
  onStore?: SpotListener<'store'>;
  /** Called when a read, decode, encode, write, eviction, lease or the shared rate-limit state fails; a warning is logged as well. */
  onError?: SpotListener<'error'>;
}

const SPOT_OPTIONS = ['dir', 'store', 'blobs', 'codec', 'ttl', 'access', 'limit', 'limits', 'blobThreshold', 'maxBytes',
  'maxEntries', 'memory', 'summary', 'singleFlight', ...EVENT_OPTION_NAMES] as const;

export const DEFAULT_BLOB_THRESHOLD = 64 * 1024; // 64 KiB

export interface ResolvedSpotOptions {
  ttlMs: number | undefined;
  access: Access | undefined;
  blobThreshold: number;
  maxBytes: number | undefined;
  maxEntries: number | undefined;
  memory: number;
  /** Undefined: single-flight is off. */
  singleFlight: FlightPolicy | undefined;
  /** The `onHit` … `onError` options. */
  listeners: OwnListeners | undefined;
}

const SPOT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function validateSpotName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !SPOT_NAME.test(name)) {
    throw new TypeError(`[beautyspot] a spot name must be letters, digits, "_", "." or "-" (it names a file), got ${JSON.stringify(name)}`);
  }
}

export function resolveSpotOptions(options: SpotOptions): ResolvedSpotOptions {
  // Validate arguments
  if (typeof options !== 'object' || options === null) throw new TypeError('[beautyspot] spot options must be an object');
  checkOptionNames(options, SPOT_OPTIONS, 'spot');
  const expect = (ok: boolean, name: keyof SpotOptions, shape: string): void => {
    if (!ok) throw new TypeError(`[beautyspot] spot option "${name}" must be ${shape}, got ${JSON.stringify(options[name]) ?? String(options[name])}`);
  };
  const isObject = (value: unknown): boolean => typeof value === 'object' && value !== null;
  expect(options.dir === undefined || (typeof options.dir === 'string' && options.dir !== ''), 'dir', 'a directory path');
  for (const name of ['store', 'blobs', 'codec'] as const) expect(options[name] === undefined || isObject(options[name]), name, 'an object');
  expect(options.limits === undefined || isObject(options.limits), 'limits', 'an object of named limits');
  if (options.limit !== undefined && options.limits?.default !== undefined) {
    // Both would book the buckets "<spot>/default/…" of a shared limit state.
    throw new TypeError('[beautyspot] spot options "limit" and "limits.default" name the same limit; ' +
      'give the named limit another name, or drop one of them.');
  }
  expect(options.summary === undefined || typeof options.summary === 'boolean', 'summary', 'true or false');
  const flight = options.singleFlight;
  expect(flight === undefined || typeof flight === 'boolean' || (isObject(flight) && Object.keys(flight).every(k => k === 'lease' || k === 'wait')),
    'singleFlight', 'true, false or { lease, wait }');
  const size = (name: 'blobThreshold' | 'maxBytes' | 'maxEntries' | 'memory'): number | undefined => {
    const value = options[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'number') throw new TypeError(`[beautyspot] spot option "${name}" must be a number, got ${typeof value}`);
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`[beautyspot] spot option "${name}" must be a whole number ≥ 0, got ${value}`);
    return value;
  };

  // Interpret options
  return {
    ttlMs: options.ttl === undefined ? undefined : parseDuration(options.ttl, 'spot option "ttl"'),
    access: options.access === undefined ? undefined : parseAccess(options.access, 'spot option "access"'),
    blobThreshold: size('blobThreshold') ?? DEFAULT_BLOB_THRESHOLD,
    maxBytes: size('maxBytes'),
    maxEntries: size('maxEntries'),
    memory: size('memory') ?? 0,
    singleFlight: flight === false ? undefined : {
      leaseMs: typeof flight === 'object' && flight.lease !== undefined ? parseDuration(flight.lease, 'spot option "singleFlight.lease"') : DEFAULT_FLIGHT.leaseMs,
      waitMs: typeof flight === 'object' && flight.wait !== undefined ? parseDuration(flight.wait, 'spot option "singleFlight.wait"') : DEFAULT_FLIGHT.waitMs,
    },
    listeners: listenerOptions(options, 'spot'),
  };
}
