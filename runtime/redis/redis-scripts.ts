import { createHash } from 'node:crypto';
import type { RedisArg, RedisConnection } from './redis-connection.js';

/** A Lua script of ours, sent by its SHA-1 (EVALSHA) and once in full when the server does not know it yet. */
export class RedisScript {
  private sha: string | undefined;

  constructor(readonly source: string) {}

  run(connection: RedisConnection, keys: string[], args: RedisArg[]): Promise<unknown> {
    this.sha ??= createHash('sha1').update(this.source).digest('hex');
    const tail = [String(keys.length), ...keys, ...args];
    return connection.send(keys[0]!, ['EVALSHA', this.sha, ...tail]).catch((error: unknown) => {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return connection.send(keys[0]!, ['EVAL', this.source, ...tail]);
    });
  }
}

/** KEYS: entry, metadata. ARGV: record, expiry (epoch ms, '' = never), then the metadata's field/value pairs. */
export const PUT = new RedisScript(`
redis.call('SET', KEYS[1], ARGV[1])
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
if ARGV[2] ~= '' then
  redis.call('PEXPIREAT', KEYS[1], ARGV[2])
  redis.call('PEXPIREAT', KEYS[2], ARGV[2])
end
return 1`);

/**
 * KEYS: lease. ARGV: owner, ms, and optionally a holder known gone. Ours when free, already ours (then extended) or
 * still held by that gone holder; else returns the holder, so the caller can check whether it still runs.
 */
export const ACQUIRE = new RedisScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or (ARGV[3] ~= nil and holder == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if holder then return holder end
return 0`);

/** KEYS: lease. ARGV: owner, ms. Extends the lease only while it is still ours. */
export const RENEW = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`);

/** KEYS: lease. ARGV: owner. Deletes the lease only when it is ours. */
export const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0`);

/**
 * KEYS: the buckets of one call (one hash tag). ARGV: interval, burst, cost per bucket. GCRA on the server's clock,
 * all buckets booked together; each bucket's tat expires once it is in the past (an absent bucket is a fresh one).
 * Returns the wait in ms as a decimal string.
 */
export const RESERVE = new RedisScript(`
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local wait = 0
local tats = {}
for i = 1, #KEYS do
  local interval, burst, cost = tonumber(ARGV[i * 3 - 2]), tonumber(ARGV[i * 3 - 1]), tonumber(ARGV[i * 3])
  local tat = tonumber(redis.call('GET', KEYS[i]) or '')
  if tat == nil or tat < now then tat = now end
  tat = tat + cost * interval
  tats[i] = tat
  wait = math.max(wait, tat - math.max(burst, cost) * interval - now)
end
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.17g', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
end
return string.format('%.17g', wait)`);

/**
 * KEYS: the function's totals and per-day counts (one hash tag). ARGV: day, hits, saved ms, misses, compute ms.
 * Adds one flush's counts to both, so the totals and the days never disagree.
 */
export const COUNT = new RedisScript(`
local names = { 'hits', 'saved_ms', 'misses', 'compute_ms' }
for i, name in ipairs(names) do
  local by = ARGV[i + 1]
  if by ~= '0' then
    redis.call('HINCRBYFLOAT', KEYS[1], name, by)
    redis.call('HINCRBYFLOAT', KEYS[2], ARGV[1] .. ':' .. name, by)
  end
end
return 1`);
