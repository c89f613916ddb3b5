import { bookedTat, waitFor, type Bucket, type LimitState } from './limit-state.js';

/** Limit state of this process alone, on its monotonic clock: a spot without a shared state, or whose shared state failed. */
export class MemoryLimitState implements LimitState {
  private readonly tats = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  reserve(buckets: Bucket[]): number {
    const now = this.now();
    let wait = 0;
    for (const bucket of buckets) {
      const tat = bookedTat(this.tats.get(bucket.id), bucket, now);
      this.tats.set(bucket.id, tat);
      wait = Math.max(wait, waitFor(tat, bucket, now));
    }
    return wait;
  }
}
