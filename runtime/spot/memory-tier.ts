/**
 * A result kept in memory: its encoded bytes, decoded again at each hit so that no caller gets an object another
 * caller may have changed, or (`bytes` undefined) a primitive, which cannot be changed.
 */
export interface Remembered {
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

/** What to remember of a result: a primitive as is, anything else as its encoded bytes. */
export function remembered(value: unknown, bytes: Uint8Array, expiresAt: number | null, async: boolean, savedMs: number): Remembered {
  const primitive = value === null || (typeof value !== 'object' && typeof value !== 'function');
  return primitive ? { bytes: undefined, value, expiresAt, async, savedMs } : { bytes, value: undefined, expiresAt, async, savedMs };
}
