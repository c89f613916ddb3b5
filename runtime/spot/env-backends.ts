import type { BlobStore } from '../blobs/blob-store.js';
import { RedisStore } from '../redis/redis-store.js';
import { parseRedisUrl } from '../redis/redis-url.js';
import { s3BlobsFromUrl } from '../s3/s3-url.js';
import type { Store } from '../store/store.js';

/** What the environment says a spot's backends are; each undefined when the variable is unset. */
export interface EnvBackends {
  store: Store | undefined;
  blobs: BlobStore | undefined;
}

/**
 * `BEAUTYSPOT_STORE` (a Redis URL) and `BEAUTYSPOT_BLOBS` (an S3 URL) move a pipeline to shared backends without
 * touching its code. Each spot gets its own namespace under the URL's prefix — `<prefix><spot>:` in Redis,
 * `<prefix>/<spot>` in S3 — as each has its own file locally: gc of one spot must not see another's blobs as orphans.
 */
export function backendsFromEnv(spot: string, env: NodeJS.ProcessEnv = process.env): EnvBackends {
  return {
    store: env.BEAUTYSPOT_STORE ? storeAt(env.BEAUTYSPOT_STORE, spot) : undefined,
    blobs: env.BEAUTYSPOT_BLOBS ? blobsAt(env.BEAUTYSPOT_BLOBS, spot) : undefined,
  };
}

function storeAt(url: string, spot: string): Store {
  if (!/^rediss?(\+cluster)?:/i.test(url)) {
    throw new TypeError(`[beautyspot] BEAUTYSPOT_STORE must be a Redis URL (redis://host:port/db, rediss://… for TLS, ` +
      `redis+cluster://host:port,host:port), got one starting "${url.split(':')[0]}:". Unset it to use the SQLite file in the cache directory.`);
  }
  return new RedisStore({ url, prefix: `${parseRedisUrl(url).prefix ?? 'beautyspot:'}${spot}:` });
}

function blobsAt(url: string, spot: string): BlobStore {
  if (!/^s3:/i.test(url)) {
    throw new TypeError(`[beautyspot] BEAUTYSPOT_BLOBS must be an S3 URL (s3://bucket/prefix, with the endpoint and credentials ` +
      `in the standard AWS variables), got one starting "${url.split(':')[0]}:". Unset it to keep blobs in the cache directory.`);
  }
  const base = url.replace(/\/+$/, '');
  return s3BlobsFromUrl(`${base}${/^s3:\/\/[^/]+$/i.test(base) ? '/beautyspot' : ''}/${spot}`);
}
