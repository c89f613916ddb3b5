import { pendingCounter, type EntryInfo, type HitCounter, type Store, type StoreTotals } from './store.js';

/** The store of a spot whose cache cannot be opened: every call is a miss, nothing is stored. */
export class NoStore implements Store {
  readonly readonly = true;
  private readonly counters = new Map<string, HitCounter>();

  get(): undefined {
    return undefined;
  }

  put(): void {}
  touch(): void {}
  delete(): void {}
  flush(): void {}
  close(): void {}

  counter(fn: string): HitCounter {
    return pendingCounter(this.counters, fn);
  }

  evict(): { entries: number; bytes: number; blobs: string[] } {
    return { entries: 0, bytes: 0, blobs: [] };
  }

  deleteExpired(): { entries: number; blobs: string[] } {
    return { entries: 0, blobs: [] };
  }

  clear(): { entries: number; blobs: string[] } {
    return { entries: 0, blobs: [] };
  }

  blobInUse(): boolean {
    // Unknown: gc must not delete blobs on the word of a store that cannot see the cache.
    return true;
  }

  totals(): StoreTotals {
    return { entries: 0, bytes: 0, hits: 0, savedMs: 0, misses: 0, computeMs: 0 };
  }

  list(): EntryInfo[] {
    return [];
  }
}
