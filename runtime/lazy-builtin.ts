import { createRequire } from 'node:module';

/**
 * A Node built-in module, loaded when first needed: `node:net`, `node:worker_threads` and `node:util` each cost
 * about 1–2 ms of a process's start-up, for features (S3 endpoints, the sync bridge, debug logs) most runs never use.
 */
export function lazyBuiltin<T>(name: `node:${string}`): T {
  return createRequire(import.meta.url)(name) as T;
}
