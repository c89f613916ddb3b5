import { parseAccess, type Access, type AccessMode } from '../access.js';
import { parseDuration, type Duration } from '../duration.js';
import { checkOptionNames } from '../option-names.js';
import { EVENT_OPTION_NAMES, listenerOptions, type OwnListeners, type SpotListener } from './events.js';
import { MARK_OPTION_TABLE, MARK_OPTIONS, type MarkOptionKind, type MarkOptionName } from './option-table.js';

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
  /** Keep the last N results of this process in memory, per function: repeated hits skip the store. Default: the spot's, else 0 (off). */
  memory?: number;
}

// MarkOptions has exactly the table's options (plus the listeners): a row added to one and not the other fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<Exclude<keyof MarkOptions, `on${string}`>, MarkOptionName>;

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
  /** Undefined: the spot's default. */
  memory: number | undefined;
  listeners: OwnListeners | undefined;
}

export function resolveMarkOptions(options: MarkOptions = {}, what = 'mark'): ResolvedMarkOptions {
  // Validate arguments
  if (typeof options !== 'object' || options === null) throw new TypeError(`[beautyspot] ${what} options must be an object`);
  checkOptionNames(options, RUNTIME_MARK_OPTIONS, what);
  const o = options as MarkOptions<unknown[]>;
  for (const { name, kind } of MARK_OPTION_TABLE) {
    const value = (o as Record<string, unknown>)[name];
    const check = KIND_CHECKS[kind];
    if (check && value !== undefined && !check.accepts(value)) {
      throw new TypeError(`[beautyspot] ${what} option "${name}" must be ${check.shape}, got ${describe(value)}`);
    }
  }

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
    memory: o.memory,
    listeners: listenerOptions(o, what),
  };
}

const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * What `mark` accepts for each kind of option, and how the error says it; none for durations and access modes,
 * whose parsers (below) say what they take.
 */
const KIND_CHECKS: Record<MarkOptionKind, { accepts: (value: unknown) => boolean; shape: string } | undefined> = {
  label: { accepts: v => isString(v) || typeof v === 'number', shape: 'a string or a number' },
  id: { accepts: v => isString(v) && v !== '', shape: 'a non-empty string' },
  spotName: { accepts: isString, shape: 'a spot name' },
  duration: undefined,
  flag: { accepts: v => typeof v === 'boolean', shape: 'true or false' },
  expression: { accepts: v => typeof v === 'function', shape: 'a function of the arguments' },
  access: undefined,
  cost: { accepts: v => typeof v === 'function' || (typeof v === 'number' && v >= 0 && Number.isFinite(v)), shape: 'a number ≥ 0 or a function of the arguments' },
  limit: { accepts: v => v === false || isString(v), shape: 'a limit name or false' },
  list: { accepts: v => Array.isArray(v) && v.every(isString), shape: 'an array of strings' },
  count: { accepts: isCount, shape: 'a whole number ≥ 0' },
};

/** A whole number ≥ 0 (memory=N: how many entries). */
function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function describe(value: unknown): string {
  return typeof value === 'function' ? 'a function' : JSON.stringify(value) ?? String(value);
}
