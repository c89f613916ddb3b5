import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { FsBlobs } from '../../runtime/blobs/fs-blobs.js';
import { warnOnce } from '../../runtime/log.js';
import { backendsFromEnv } from '../../runtime/spot/env-backends.js';
import type { CacheView } from './cache-view.js';
import { cacheDir, type CacheOptions } from './locate.js';
import { SqliteView } from './sqlite-view.js';

/** The spot's blob store as a pipeline would use it: BEAUTYSPOT_BLOBS, else the blob files in the cache directory. */
export function blobsOf(spot: string, options: CacheOptions): BlobStore {
  const env = backendsFromEnv(spot, error => warnOnce(String(error instanceof Error ? error.message : error)), { BEAUTYSPOT_BLOBS: process.env.BEAUTYSPOT_BLOBS });
  return env.blobs ?? new FsBlobs(join(cacheDir(options), `${spot}.blobs`));
}

/** A read-only view of a spot's cache; undefined when it has none yet (no file: nothing was ever stored). */
export function openView(spot: string, options: CacheOptions): CacheView | undefined {
  const file = join(cacheDir(options), `${spot}.sqlite`);
  if (!existsSync(file)) return undefined;
  return new SqliteView(spot, file, blobsOf(spot, options));
}
