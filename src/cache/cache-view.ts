import type { EntryInfo } from '../../runtime/store/store.js';

/** The columns the entry list can be ordered by (each on an index: last access has none, so it is shown, not sorted on). */
export type EntrySort = 'created' | 'size' | 'computeMs' | 'fn' | 'key';

/** One page of the entry list: filters (all optional, combined with AND), order and paging. */
export interface EntryQuery {
  fn?: string;
  tag?: string;
  /** The start of a key or of an argument digest, or text the function id contains (all on indexes from schema v4). */
  text?: string;
  /** Written at or after / before this epoch ms. */
  since?: number;
  before?: number;
  /** Encoded size bounds in bytes, inclusive. */
  minSize?: number;
  maxSize?: number;
  sort?: EntrySort;
  /** Default true: newest, largest, slowest first. */
  desc?: boolean;
  /** Default 50. */
  limit?: number;
  offset?: number;
}

export interface EntryPage {
  rows: EntryInfo[];
  /** How many entries match the filters in all. */
  total: number;
}

/** One function's totals: what is stored now, and what its runs recorded. */
export interface FunctionSummary {
  fn: string;
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  /** Compute time the hits saved, ms. */
  savedMs: number;
  /** Time the executions took, ms. */
  computeMs: number;
  /** The newest entry's creation time (epoch ms), null when none is stored. */
  lastWrite: number | null;
}

/** Hits and misses of one function on one UTC day (`YYYY-MM-DD`), for charts. */
export interface DayStats {
  fn: string;
  day: string;
  hits: number;
  misses: number;
  savedMs: number;
  computeMs: number;
}

/** The parts a code hash covered, as recorded by the entries written with it. */
export interface CodeRecord {
  fn: string;
  hash: string;
  body: string;
  deps: [name: string, hash: string][];
  /** When this process first wrote an entry with it (epoch ms). */
  seenAt: number;
}

/** An entry's stored value, still encoded: inline bytes, or the blob's bytes. */
export interface StoredBytes {
  bytes: Uint8Array;
  /** The blob reference when the value lives in the blob store. */
  blob: string | null;
  /** Whether the function returned a promise. */
  async: boolean;
}

/**
 * A read-only view of one spot's cache, for the CLI and the dashboard. Reading never writes to, locks out or
 * migrates the cache: it works while a pipeline runs, on files of any schema version this runtime knows.
 */
export interface CacheView {
  readonly spot: string;
  /** Where the entries live, for messages: a file path, or a redacted URL. */
  readonly where: string;
  query(query?: EntryQuery): EntryPage;
  /** Entries whose key starts with `prefix` (at most `limit`, default 20). */
  find(prefix: string, limit?: number): EntryInfo[];
  /** The encoded value of an entry; undefined when it is gone or damaged. */
  value(key: string): StoredBytes | undefined;
  functions(): FunctionSummary[];
  days(fn?: string): DayStats[];
  code(fn: string, hash: string): CodeRecord | undefined;
  /** Every tag in use, with how many entries carry it. */
  tags(): { tag: string; entries: number }[];
  /** A number that changes whenever another process writes the cache (the dashboard's live updates poll it). */
  changes(): number;
  close(): void;
}
