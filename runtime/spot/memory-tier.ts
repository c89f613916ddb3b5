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

/** The last `size` results of one function in this process, by key; the least recently used goes first. */
export class MemoryTier {
  // A Map iterates in insertion order: a hit re-inserts its entry, so the first one is the least recently used.
  private readonly entries = new Map<string, Remembered>();

  constructor(public size: number) {}

  /** The live entry of `key`, if any; an expired one is dropped. */
  get(key: string): Remembered | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) return undefined;
    this.entries.set(key, entry);
    return entry;
  }

  set(key: string, entry: Remembered): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.size) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
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
