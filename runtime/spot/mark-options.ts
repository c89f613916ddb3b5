import { parseAccess, type Access, type AccessMode } from '../access.js';
import { parseDuration, type Duration } from '../duration.js';
import { checkOptionNames } from '../option-names.js';
import { EVENT_OPTION_NAMES, listenerOptions, type OwnListeners, type SpotListener } from './events.js';

/** Options of `mark` / `cachedRun`: the same names as the `@mark` annotation, plus the listeners (runtime only). */
export interface MarkOptions<A extends unknown[] = any[]> {
  /** Bump to invalidate every entry of the function. */
  version?: string | number;
  /** Stable id of the function in the cache (default: its name; the compiler uses file + qualified name). */
  name?: string;
  /** How long entries live: `30s`, `10m`, `12h`, `7d`, or ms. Default: the spot's ttl, else forever. */
  ttl?: Duration;
  /** Always store the value as a blob (values over the spot's blobThreshold go to blobs anyway). */
  blob?: boolean;
  /** Which spot (by name) when using the top-level `mark`; default "default". */
  spot?: string;
  /** Key on this value instead of the arguments (pecapiku's inner key). */
  key?: (...args: A) => unknown;
  /** `rew` (default) · `r` cache only · `ew` refresh · `e` bypass · `re` run without storing. */
  access?: AccessMode;
  /** Rate-limit cost of one execution (tokens for a `tpm` limit); a number or a function of the arguments. Default 1. */
  cost?: number | ((...args: A) => number);
  /** The named limit of the spot to use, or false for none. Default: the spot's `limit`, if any. */
  limit?: string | false;
  /** Hash the function's source into the key, so editing the body invalidates it. Default true. */
  codeHash?: boolean;
  /** Free-form labels stored with each entry. */
  tags?: string[];
  /** Called on each hit of this function (before its spot's listeners; see `Spot.on` for the events). */
  onHit?: SpotListener<'hit'>;
  /** Called when a call of this function is about to run its body. */
  onMiss?: SpotListener<'miss'>;
  /** Called after a result of this function is written to the cache. */
  onStore?: SpotListener<'store'>;
  /** Called when a read, decode, encode, write, eviction or lease fails in a call of this function. */
  onError?: SpotListener<'error'>;
}

/** The options an annotation can carry (the plugin's parser knows these words). */
export const MARK_OPTIONS = ['version', 'name', 'ttl', 'blob', 'spot', 'key', 'access', 'cost', 'limit', 'codeHash', 'tags'] as const;
const RUNTIME_MARK_OPTIONS = [...MARK_OPTIONS, ...EVENT_OPTION_NAMES];

/** Options after validation, in the form the call path uses. */
export interface ResolvedMarkOptions {
  version: string;
  name: string | undefined;
  ttlMs: number | undefined;
  blob: boolean;
  spot: string | undefined;
  key: ((...args: unknown[]) => unknown) | undefined;
  access: Access | undefined;
  cost: number | ((...args: unknown[]) => number);
  limit: string | false | undefined;
  codeHash: boolean;
  tags: string[];
  listeners: OwnListeners | undefined;
}

export function resolveMarkOptions(options: MarkOptions = {}, what = 'mark'): ResolvedMarkOptions {
  // Validate arguments
  if (typeof options !== 'object' || options === null) throw new TypeError(`[beautyspot] ${what} options must be an object`);
  checkOptionNames(options, RUNTIME_MARK_OPTIONS, what);
  const o = options as MarkOptions<unknown[]>;
  const expect = (ok: boolean, name: string, shape: string): void => {
    if (!ok) throw new TypeError(`[beautyspot] ${what} option "${name}" must be ${shape}, got ${describe((o as Record<string, unknown>)[name])}`);
  };
  expect(o.version === undefined || typeof o.version === 'string' || typeof o.version === 'number', 'version', 'a string or a number');
  expect(o.name === undefined || (typeof o.name === 'string' && o.name !== ''), 'name', 'a non-empty string');
  expect(o.blob === undefined || typeof o.blob === 'boolean', 'blob', 'true or false');
  expect(o.spot === undefined || typeof o.spot === 'string', 'spot', 'a spot name');
  expect(o.key === undefined || typeof o.key === 'function', 'key', 'a function of the arguments');
  expect(o.cost === undefined || typeof o.cost === 'function' || (typeof o.cost === 'number' && o.cost >= 0 && Number.isFinite(o.cost)),
    'cost', 'a number ≥ 0 or a function of the arguments');
  expect(o.limit === undefined || o.limit === false || typeof o.limit === 'string', 'limit', 'a limit name or false');
  expect(o.codeHash === undefined || typeof o.codeHash === 'boolean', 'codeHash', 'true or false');
  expect(o.tags === undefined || (Array.isArray(o.tags) && o.tags.every(t => typeof t === 'string')), 'tags', 'an array of strings');

  // Interpret options
  return {
    version: o.version === undefined ? '' : String(o.version),
    name: o.name,
    ttlMs: o.ttl === undefined ? undefined : parseDuration(o.ttl, `${what} option "ttl"`),
    blob: o.blob ?? false,
    spot: o.spot,
    key: o.key,
    access: o.access === undefined ? undefined : parseAccess(o.access, `${what} option "access"`),
    cost: o.cost ?? 1,
    limit: o.limit,
    codeHash: o.codeHash ?? true,
    tags: o.tags ?? [],
    listeners: listenerOptions(o, what),
  };
}

function describe(value: unknown): string {
  return typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
}
