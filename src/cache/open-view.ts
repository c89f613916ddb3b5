import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { FsBlobs } from '../../runtime/blobs/fs-blobs.js';
import { warnOnce } from '../../runtime/log.js';
import { RedisStore } from '../../runtime/redis/redis-store.js';
import { backendsFromEnv } from '../../runtime/spot/env-backends.js';
import type { CacheView } from './cache-view.js';
import { cacheDir, type CacheOptions } from './locate.js';
import { RedisView } from './redis-view.js';
import { SqliteView } from './sqlite-view.js';

/** An unusable BEAUTYSPOT_STORE / BEAUTYSPOT_BLOBS: one warning, and the cache directory serves. */
function warnEnv(error: unknown): void {
  warnOnce(String(error instanceof Error ? error.message : error));
}

/** The spot's blob store as a pipeline would use it: BEAUTYSPOT_BLOBS, else the blob files in the cache directory. */
export function blobsOf(spot: string, options: CacheOptions): BlobStore {
  const env = backendsFromEnv(spot, warnEnv, { BEAUTYSPOT_BLOBS: process.env.BEAUTYSPOT_BLOBS });
  return env.blobs ?? new FsBlobs(join(cacheDir(options), `${spot}.blobs`));
}

/**
 * A read-only view of a spot's cache: in Redis when BEAUTYSPOT_STORE names it (as a pipeline would use it), else its
 * file in the cache directory; undefined when it has none yet (no file: nothing was ever stored).
 */
export function openView(spot: string, options: CacheOptions): CacheView | undefined {
  const { store } = backendsFromEnv(spot, warnEnv, { BEAUTYSPOT_STORE: process.env.BEAUTYSPOT_STORE });
  if (store instanceof RedisStore) return new RedisView(spot, store, blobsOf(spot, options));
  const file = join(cacheDir(options), `${spot}.sqlite`);
  if (!existsSync(file)) return undefined;
  return new SqliteView(spot, file, blobsOf(spot, options));
}
