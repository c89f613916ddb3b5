import { hostname } from 'node:os';

/**
 * Single-flight across processes: while one process computes a key, the others wait for its entry instead of
 * computing it too. A lease names its owner and expires by itself, so a holder that crashed or hangs loses it.
 * Stores that can share leases between processes (SQLite on one machine, Redis across machines) provide them.
 */
export interface Leases {
  /**
   * Takes the lease of `key` for `ms` unless another owner holds an unexpired one that may still be alive; true when
   * it is now ours. A holder that was a process of this machine which no longer runs (killed, Ctrl-C) is taken over
   * at once (`ownerIsGone`), so a re-run right after a crash does not wait for its leases to expire.
   */
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

let processOwner: string | undefined;

/** A lease owner id: `<host>/<pid>/<nonce>/<call>`, so a process of the same machine can tell whether the owner runs. */
export function leaseOwner(call: number): string {
  processOwner ??= `${hostname()}/${process.pid}/${Math.random().toString(36).slice(2, 8)}`;
  return `${processOwner}/${call}`;
}

/**
 * Whether the owner was a process of this machine that no longer exists. Owners of other machines, of this process,
 * or whose process may still run (or whose pid was reused) count as alive: their leases expire by themselves.
 */
export function ownerIsGone(owner: string): boolean {
  const [host, pidText] = owner.split('/');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
