import { sleep, sleepSync } from '../limit/sleep.js';
import { leaseOwner, type Leases } from '../store/leases.js';

/** How long a lease lasts and how long a caller waits for another process's result before computing it itself. */
export interface FlightPolicy {
  leaseMs: number;
  waitMs: number;
}

export const DEFAULT_FLIGHT: FlightPolicy = {
  leaseMs: 30_000, // an async holder renews it every third of that; a crashed one loses it after this
  waitMs: 600_000, // 10 min: then the waiter computes the result itself
};

/** A held lease; `release` never throws (a lease left behind only expires). */
export interface Flight {
  release(): void;
  releaseAsync(): Promise<void>;
}

/** What waiting for a turn gave: the entry another process stored meanwhile, or the turn to compute (maybe without a lease). */
export type Turn<H> = { hit: H } | { flight: Flight | undefined };

const POLL_FIRST_MS = 2;
const POLL_MAX_MS = 100;

let sequence = 0;

/**
 * Waits until this call may compute `key`: it takes the lease, or finds the entry that the lease's holder stored
 * (`poll` looks it up; `undefined` is a miss). When the holder's lease expires (it crashed or hangs), the next poll
 * takes it over; after `waitMs` the caller computes without a lease. Leases that fail to answer count as no lease.
 */
export function awaitTurnSync<H>(leases: Leases, key: string, policy: FlightPolicy, poll: () => H | undefined,
  onError: (error: unknown) => void): Turn<H> {
  const owner = leaseOwner(++sequence);
  const deadline = performance.now() + policy.waitMs;
  for (let delay = POLL_FIRST_MS; ; delay = Math.min(delay * 2, POLL_MAX_MS)) {
    let taken: boolean;
    try {
      taken = leases.acquire(key, owner, policy.leaseMs);
    } catch (error) {
      onError(error);
      return { flight: undefined };
    }
    // Looked up again once the lease is ours too: the previous holder may have stored it just before releasing.
    const hit = poll();
    if (hit !== undefined) {
      if (taken) releaseQuietly(leases, key, owner);
      return { hit };
    }
    if (taken) return { flight: syncFlight(leases, key, owner) };
    if (performance.now() >= deadline) return { flight: undefined };
    sleepSync(delay);
  }
}

/** `awaitTurnSync` for async callers: waits with timers and uses the leases' async forms when they have them. */
export async function awaitTurn<H>(leases: Leases, key: string, policy: FlightPolicy, poll: () => Promise<H | undefined>,
  onError: (error: unknown) => void): Promise<Turn<H>> {
  const owner = leaseOwner(++sequence);
  const deadline = performance.now() + policy.waitMs;
  for (let delay = POLL_FIRST_MS; ; delay = Math.min(delay * 2, POLL_MAX_MS)) {
    let taken: boolean;
    try {
      taken = await (leases.acquireAsync?.(key, owner, policy.leaseMs) ?? leases.acquire(key, owner, policy.leaseMs));
    } catch (error) {
      onError(error);
      return { flight: undefined };
    }
    const hit = await poll();
    if (hit !== undefined) {
      if (taken) await releaseQuietlyAsync(leases, key, owner);
      return { hit };
    }
    if (taken) return { flight: asyncFlight(leases, key, owner, policy.leaseMs) };
    if (performance.now() >= deadline) return { flight: undefined };
    await sleep(delay);
  }
}

/** A sync computation blocks the thread, so its lease cannot be renewed: one longer than the lease may run twice. */
function syncFlight(leases: Leases, key: string, owner: string): Flight {
  return {
    release: () => releaseQuietly(leases, key, owner),
    releaseAsync: () => releaseQuietlyAsync(leases, key, owner),
  };
}

/** An async holder renews its lease every third of its length while it computes. */
function asyncFlight(leases: Leases, key: string, owner: string, leaseMs: number): Flight {
  const timer = setInterval(() => {
    Promise.resolve()
      .then(() => leases.renewAsync?.(key, owner, leaseMs) ?? leases.renew(key, owner, leaseMs))
      .catch(() => undefined); // a lost renewal only lets another process compute too
  }, leaseMs / 3).unref();
  return {
    release: () => {
      clearInterval(timer);
      releaseQuietly(leases, key, owner);
    },
    releaseAsync: () => {
      clearInterval(timer);
      return releaseQuietlyAsync(leases, key, owner);
    },
  };
}

function releaseQuietly(leases: Leases, key: string, owner: string): void {
  try {
    leases.release(key, owner);
  } catch {
    // it expires by itself
  }
}

async function releaseQuietlyAsync(leases: Leases, key: string, owner: string): Promise<void> {
  try {
    await (leases.releaseAsync?.(key, owner) ?? leases.release(key, owner));
  } catch {
    // it expires by itself
  }
}
