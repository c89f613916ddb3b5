/** One GCRA bucket of a limit, as booked by one call. */
export interface Bucket {
  /** Unique across everything sharing the state: `<spot>/<limit name>/rpm` or `…/tpm`. */
  id: string;
  /** Emission interval: ms per unit. */
  interval: number;
  /** Units that may pass back-to-back. */
  burst: number;
  /** Units this call books (> 0; zero-cost buckets are not sent). */
  cost: number;
}

/**
 * Where the GCRA state of rate limits lives: in this process, in a cache's SQLite file (every process of one
 * machine), or in Redis (every machine). Each bucket keeps its theoretical arrival time `tat`; a reservation is
 * `tat = max(tat, now) + cost × interval` and waits `max(0, tat − max(burst, cost) × interval − now)`.
 */
export interface LimitState {
  /** Books every bucket at once, all or none, on the state's own clock; returns the wait in ms before the call may start. */
  reserve(buckets: Bucket[]): number;
  /** Async form, for state kept over a network; async callers use it when present. */
  reserveAsync?(buckets: Bucket[]): Promise<number>;
}

/** A bucket's theoretical arrival time after booking it at `now`; `tat` undefined: never booked. */
export function bookedTat(tat: number | undefined, bucket: Bucket, now: number): number {
  return Math.max(tat ?? now, now) + bucket.cost * bucket.interval;
}

/** How long a call whose booking moved the bucket to `tat` waits, in ms. */
export function waitFor(tat: number, bucket: Bucket, now: number): number {
  const wait = tat - now - Math.max(bucket.burst, bucket.cost) * bucket.interval;
  // Below a nanosecond it is the rounding of `now + n·interval − n·interval`, not a wait.
  return wait > 1e-6 ? wait : 0;
}
