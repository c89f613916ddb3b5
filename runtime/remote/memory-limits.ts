import type { Bucket, LimitState } from '../limit/limit-state.js';

/** Rate-limit state of this process only: what limits fall back to when neither the remote nor a local file can keep them. */
export class MemoryLimits implements LimitState {
  private readonly tats = new Map<string, number>();

  reserve(buckets: Bucket[]): number {
    const now = Date.now();
    let wait = 0;
    for (const bucket of buckets) {
      const tat = Math.max(this.tats.get(bucket.id) ?? now, now) + bucket.cost * bucket.interval;
      this.tats.set(bucket.id, tat);
      wait = Math.max(wait, tat - Math.max(bucket.burst, bucket.cost) * bucket.interval - now);
    }
    return wait;
  }
}
