import { copyPlain, isPlain } from './plain-copy.js';

/**
 * A result kept in memory, so that each hit gets a fresh value no other caller may have changed: a primitive as
 * is, plain data (objects, arrays, primitives) as a private copy copied again at each hit, anything else (a Date,
 * a Map, a registered class) as its encoded bytes, decoded at each hit.
 */
export interface Remembered {
  /** Undefined: `value` is a primitive or plain data. */
  bytes: Uint8Array | undefined;
  value: unknown;
  /** Epoch ms, or null: never. */
  expiresAt: number | null;
  /** Produced by a promise: a hit of a function that may return one returns one. */
  async: boolean;
  /** The compute time recorded with the entry. */
  savedMs: number;
}

/**
 * About the last `size` results of one function in this process, by the bytes of their arguments' key. Approximately least-recently-used: a hit
 * moves its entry to the young end only when the entry has aged past half the tier, so the usual hit touches the
 * Map once; an entry used within the last `size / 2` uses is never the one evicted.
 */
export class MemoryTier {
  // A Map iterates in insertion order: the first entry is the one used longest ago.
  private readonly entries = new Map<string, Kept>();
  /** Counts insertions: an entry's `at` is the count when it was (re)inserted, so `count - at` bounds its age. */
  private count = 0;

  /** `fn`: the function id whose calls it keeps. */
  constructor(readonly fn: string, public size: number) {}

  /** The live entry of `key`, if any; an expired one is dropped. */
  get(key: string): Remembered | undefined {
    const kept = this.entries.get(key);
    if (kept === undefined) return undefined;
    const entry = kept.entry;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (this.count - kept.at > this.size >>> 1) {
      this.entries.delete(key);
      kept.at = ++this.count;
      this.entries.set(key, kept);
    }
    return entry;
  }

  set(key: string, entry: Remembered): void {
    this.entries.delete(key);
    this.entries.set(key, { entry, at: ++this.count });
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

interface Kept {
  entry: Remembered;
  at: number;
}

/** The spot's codec, as far as the memory tier uses it. */
interface Decoder {
  decode(bytes: Uint8Array): unknown;
}

/** What to remember of a result, from its encoded bytes. */
export function remembered(value: unknown, bytes: Uint8Array, codec: Decoder, expiresAt: number | null, async: boolean,
  savedMs: number): Remembered {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { bytes: undefined, value, expiresAt, async, savedMs };
  const copy = codec.decode(bytes);
  return isPlain(copy) ? { bytes: undefined, value: copy, expiresAt, async, savedMs } : { bytes, value: undefined, expiresAt, async, savedMs };
}

/** A fresh value of a remembered result. */
export function freshValue(entry: Remembered, codec: Decoder): unknown {
  return entry.bytes === undefined ? copyPlain(entry.value) : codec.decode(entry.bytes);
}
