/**
 * Single-flight across processes: while one process computes a key, the others wait for its entry instead of
 * computing it too. A lease names its owner and expires by itself, so a holder that crashed or hangs loses it.
 * Stores that can share leases between processes (SQLite on one machine, Redis across machines) provide them.
 */
export interface Leases {
  /** Takes the lease of `key` for `ms` unless another owner holds an unexpired one; true when it is now ours. */
  acquire(key: string, owner: string, ms: number): boolean;
  /** Extends our lease by `ms` from now; false when it was lost (expired, and maybe taken by another owner). */
  renew(key: string, owner: string, ms: number): boolean;
  /** Gives our lease up (after the entry was stored, or when the computation failed). Others' leases are kept. */
  release(key: string, owner: string): void;
  /** Async forms, for leases kept over a network; async callers use them when present. */
  acquireAsync?(key: string, owner: string, ms: number): Promise<boolean>;
  renewAsync?(key: string, owner: string, ms: number): Promise<boolean>;
  releaseAsync?(key: string, owner: string): Promise<void>;
}
