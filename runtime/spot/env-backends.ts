import type { BlobStore } from '../blobs/blob-store.js';
import { messageOf } from '../errors.js';
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
export function backendsFromEnv(spot: string, report: (error: unknown) => void, env: NodeJS.ProcessEnv = process.env): EnvBackends {
  return {
    store: backend('BEAUTYSPOT_STORE', env.BEAUTYSPOT_STORE, url => storeAt(url, spot), report),
    blobs: backend('BEAUTYSPOT_BLOBS', env.BEAUTYSPOT_BLOBS, url => blobsAt(url, spot), report),
  };
}

/** A variable that cannot be used is reported, and the cache directory serves instead: a typo never stops a pipeline. */
function backend<T>(name: string, url: string | undefined, open: (url: string) => T, report: (error: unknown) => void): T | undefined {
  if (!url) return undefined;
  try {
    return open(url);
  } catch (error) {
    report(new TypeError(`${messageOf(error).replace(/\.$/, '')}. Until ${name} is fixed, the cache directory is used instead.`, { cause: error }));
    return undefined;
  }
}

function storeAt(url: string, spot: string): Store {
  if (!/^rediss?(\+cluster)?:/i.test(url)) {
    throw new TypeError(`[beautyspot] BEAUTYSPOT_STORE must be a Redis URL (redis://host:port/db, rediss://… for TLS, ` +
      `redis+cluster://host:port,host:port), got one starting "${url.split(':')[0]}:".`);
  }
  return new RedisStore({ url, prefix: `${parseRedisUrl(url).prefix ?? 'beautyspot:'}${spot}:` });
}

function blobsAt(url: string, spot: string): BlobStore {
  if (!/^s3:/i.test(url)) {
    throw new TypeError(`[beautyspot] BEAUTYSPOT_BLOBS must be an S3 URL (s3://bucket/prefix, with the endpoint and credentials ` +
      `in the standard AWS variables), got one starting "${url.split(':')[0]}:".`);
  }
  const base = url.replace(/\/+$/, '');
  return s3BlobsFromUrl(`${base}${/^s3:\/\/[^/]+$/i.test(base) ? '/beautyspot' : ''}/${spot}`);
}
