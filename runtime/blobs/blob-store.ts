/** Where large values live, by content address. The index row keeps only the reference. */
export interface BlobStore {
  /** Stores the bytes and returns their reference (idempotent for equal bytes). */
  put(bytes: Uint8Array): string;
  /** The bytes of a reference, checked against it; throws `CorruptEntryError` if missing or damaged. */
  get(ref: string): Uint8Array;
  delete(ref: string): void;
  /** Async forms, for blob stores that answer over a network: async marked functions await them when present. */
  putAsync?(bytes: Uint8Array): Promise<string>;
  getAsync?(ref: string): Promise<Uint8Array>;
  /** Every stored reference with its modification time (for orphan collection). */
  list(): Iterable<{ ref: string; mtimeMs: number }>;
  /** Removes what writers killed midway left behind (temp files) older than this epoch ms; returns how many. */
  removeAbandoned?(olderThanMs: number): number;
}
