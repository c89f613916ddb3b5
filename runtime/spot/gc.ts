import type { Spot } from './spot.js';

export interface GcOptions {
  /**
   * Orphan blobs (and temp files of killed writers) younger than this are kept: a writer in another process
   * stores the blob before its row. Default 1 hour.
   */
  orphanGraceMs?: number;
}

export interface GcResult {
  expired: number;
  evicted: number;
  blobsDeleted: number;
}

const DEFAULT_ORPHAN_GRACE_MS = 3_600_000; // 1 h

export function collectGarbage(spot: Spot, options: GcOptions = {}): GcResult {
  const grace = options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS;
  const { store, blobs } = spot.parts();
  store.flush();
  const expired = store.deleteExpired(Date.now());
  const { maxBytes, maxEntries } = spot.settings;
  const evicted = maxBytes === undefined && maxEntries === undefined
    ? { entries: 0, blobs: [] as string[] }
    : store.evict({ maxBytes, maxEntries });
  let blobsDeleted = 0;
  for (const ref of [...expired.blobs, ...evicted.blobs]) {
    blobs.delete(ref);
    blobsDeleted++;
  }
  const cutoff = Date.now() - grace;
  blobsDeleted += blobs.removeAbandoned?.(cutoff) ?? 0;
  for (const { ref, mtimeMs } of blobs.list()) {
    if (mtimeMs < cutoff && !store.blobInUse(ref)) {
      blobs.delete(ref);
      blobsDeleted++;
    }
  }
  return { expired: expired.entries, evicted: evicted.entries, blobsDeleted };
}
