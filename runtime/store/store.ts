import type { LimitState } from '../limit/limit-state.js';
import type { Leases } from './leases.js';

/** What a lookup returns: enough to serve a hit, nothing more. */
export interface StoredValue {
  /** The entry's row id (for access bookkeeping). */
  id: number;
  createdAt: number;
  /** The encoded value when stored inline, else null. */
  value: Uint8Array | null;
  /** The blob reference when the value lives in the blob store, else null. */
  blob: string | null;
  /** Epoch ms after which the entry is a miss; null = never. */
  expiresAt: number | null;
  /** How long the computation took, in ms (what a hit saves). */
  computeMs: number;
  /** Bit flags, see `EntryFlag`. */
  flags: number;
}

export const EntryFlag = {
  /** The function returned a promise; a hit must return one too. */
  async: 1,
  /** The value is in the blob store (set by the store, so the hit path need not read the blob column). */
  blob: 2,
} as const;

/** One digest per argument, so a miss can be explained ("`config` changed"). */
export type ArgDigest = [name: string, digest: string];

/**
 * What the code part of an entry's key was made of, so a miss can be explained later (`beautyspot why`): the
 * code hash and version in the key, and the parts the hash covers, each with its own hash.
 */
export interface CodeInfo {
  /** The code hash in the key ('' with `codeHash: false`). */
  hash: string;
  /** The `version` option ('' when none). */
  version: string;
  /** Hash of the function's own normalised source (for runtime marks: the code hash itself). */
  body: string;
  /** The project declarations the hash also covers (callees, constants), as [`<file>#<name>`, hash], sorted. */
  deps: [name: string, hash: string][];
}

/** A full entry as written after a miss. */
export interface EntryRecord extends Omit<StoredValue, 'id'> {
  /** SHA-256 of the key bytes, base64url. */
  key: string;
  /** The function's stable id. */
  fn: string;
  /** Encoded size in bytes (inline or blob). */
  size: number;
  args: ArgDigest[];
  tags: string[];
  /** Absent in records copied from stores written before schema v4. */
  code?: CodeInfo;
}

/** Hits and misses of one function not yet written: the store adds them to its totals when it flushes. */
export interface HitCounter {
  hits: number;
  savedMs: number;
  /** Executions (misses that ran the body), and the time they took in ms. */
  misses: number;
  computeMs: number;
}

/** The pending counter of `fn` in a store's map of them, created at zero on first use. */
export function pendingCounter(counters: Map<string, HitCounter>, fn: string): HitCounter {
  let counter = counters.get(fn);
  if (!counter) counters.set(fn, (counter = { hits: 0, savedMs: 0, misses: 0, computeMs: 0 }));
  return counter;
}

/** A row as listed by tools (CLI, dashboard, tests). */
export interface EntryInfo {
  key: string;
  fn: string;
  size: number;
  createdAt: number;
  /** Last read (recorded at most once a minute per entry), else when it was written. */
  accessedAt: number;
  expiresAt: number | null;
  computeMs: number;
  blob: string | null;
  args: ArgDigest[];
  tags: string[];
  /** The code hash and version in the entry's key; null for entries written before schema v4. */
  codeHash: string | null;
  version: string | null;
}

export interface StoreTotals {
  entries: number;
  bytes: number;
  /** Hits recorded across all runs. */
  hits: number;
  /** Compute time the hits saved (each hit: its entry's recorded compute time), in ms. */
  savedMs: number;
  /** Executions recorded across all runs (counted from schema v4 on), and the time they took in ms. */
  misses: number;
  computeMs: number;
}

/** Which entries `clear` deletes: those matching every field given. */
export interface EntryFilter {
  /** The function id. */
  fn?: string;
  tag?: string;
  /** Written before this epoch ms. */
  before?: number;
}

export interface SizeLimits {
  maxBytes?: number;
  maxEntries?: number;
}

/**
 * The index of a spot. Synchronous on purpose: a sync marked function must stay sync, and the embedded
 * store (SQLite) answers in microseconds.
 */
export interface Store {
  /** Async forms of the hit and miss path, for stores that answer over a network: async marked functions await them when present. */
  getAsync?(key: string): Promise<StoredValue | undefined>;
  putAsync?(entry: EntryRecord): Promise<void>;
  /** Single-flight leases shared with other processes; absent: concurrent calls share one execution only within a process. */
  readonly leases?: Leases;
  /** Rate-limit state shared with other processes; absent: limits hold within this process. */
  readonly limits?: LimitState;
  /** True when the store only serves reads (a read-only cache directory, an unusable file): puts are dropped. */
  readonly readonly?: boolean;
  /** The entry, verified: a damaged one throws `CorruptEntryError`, which the call path treats as a miss. */
  get(key: string): StoredValue | undefined;
  put(entry: EntryRecord): void;
  /** The whole record of an entry `get` returned, for copying it to another store (the local tier moving entries up). */
  record?(key: string, found: StoredValue): EntryRecord | undefined;
  /** Records that an entry was read, for least-recently-used eviction. Batched: no write per hit. */
  touch(id: number, at: number): void;
  /** The pending hit counts of a function; the caller increments them, `flush` writes them. */
  counter(fn: string): HitCounter;
  delete(key: string): void;
  /** Deletes least-recently-used entries until under the limits; returns the blob refs no row uses any more. */
  evict(limits: SizeLimits): { entries: number; bytes: number; blobs: string[] };
  /** Deletes expired entries; returns the blob refs no row uses any more. */
  deleteExpired(now: number): { entries: number; blobs: string[] };
  /** Whether any row refers to the blob (for safe blob deletion). */
  blobInUse(ref: string): boolean;
  totals(fn?: string): StoreTotals;
  list(options?: { fn?: string; limit?: number; offset?: number }): EntryInfo[];
  /** Deletes every entry, or those the filter matches; returns the blob refs no row uses any more. */
  clear(filter?: EntryFilter): { entries: number; blobs: string[] };
  /** Writes batched bookkeeping (hit counts, last access) now. */
  flush(): void;
  close(): void;
}
