// beautyspot/redis: the Redis store. node-redis (the optional peer `redis`) loads on the first connection.
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-core.js';
export { RedisUnavailableError } from './redis-errors.js';
export { parseRedisUrl, redactRedisUrl, type RedisTarget } from './redis-url.js';
