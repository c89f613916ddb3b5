/**
 * Every Redis key a store uses, all under its prefix. Keys that one command or script touches together share a
 * hash tag (`{…}`), so each command stays in one Redis Cluster slot:
 *
 * - `e:{key}` the entry record (record.ts) and `m:{key}` its metadata hash (fn, size, args, tags, … for tools),
 *   written by one script, expiring together; `l:{key}` the single-flight lease of the same key.
 * - `f:{fn}` a sorted set of the function's keys by creation time (list, totals and clear by function); members
 *   whose entry expired or was replaced are dropped when a tool walks it.
 * - `s:{fn}` the function's run totals (hits, saved_ms, misses, compute_ms); `d:{fn}` the same per UTC day
 *   (fields `<day>:hits` …); `c:{fn}` the parts each code hash of the function covered (field: hash).
 * - `t:{tag}` the set of keys carrying a tag (list and clear by tag); like `f:{fn}`, members whose entry is gone
 *   or no longer carries the tag are dropped when a tool reads them.
 * - `b:{ref}` the set of keys whose entry uses a blob, so `blobInUse` can answer without scanning.
 * - `fns` the set of function ids (totals and list over everything).
 * - `v` a counter bumped by every put, delete, clear and flush: what a tool polls to see that the cache changed.
 * - `r:{<spot>/<limit>}:rpm|tpm` a GCRA bucket; the buckets of one limit share the tag, so one script books them all.
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  entry(key: string): string {
    return `${this.prefix}e:{${key}}`;
  }

  meta(key: string): string {
    return `${this.prefix}m:{${key}}`;
  }

  lease(key: string): string {
    return `${this.prefix}l:{${key}}`;
  }

  fnIndex(fn: string): string {
    return `${this.prefix}f:{${fn}}`;
  }

  stats(fn: string): string {
    return `${this.prefix}s:{${fn}}`;
  }

  days(fn: string): string {
    return `${this.prefix}d:{${fn}}`;
  }

  code(fn: string): string {
    return `${this.prefix}c:{${fn}}`;
  }

  tagIndex(tag: string): string {
    return `${this.prefix}t:{${tag}}`;
  }

  changes(): string {
    return `${this.prefix}v`;
  }

  blobUsers(ref: string): string {
    return `${this.prefix}b:{${ref}}`;
  }

  fns(): string {
    return `${this.prefix}fns`;
  }

  /** `<spot>/<limit>/rpm` → `<prefix>r:{<spot>/<limit>}:rpm`. */
  bucket(id: string): string {
    const cut = id.lastIndexOf('/');
    return cut < 0 ? `${this.prefix}r:{${id}}` : `${this.prefix}r:{${id.slice(0, cut)}}:${id.slice(cut + 1)}`;
  }
}
