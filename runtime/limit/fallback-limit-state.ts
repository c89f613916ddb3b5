import type { Bucket, LimitState } from './limit-state.js';
import { MemoryLimitState } from './memory-limit-state.js';

/**
 * Books on a shared state when there is one, and in this process when there is none or it fails (locked past the
 * busy timeout, a damaged file, a remote that went away): a limit problem never fails the caller. Each failure is
 * passed to `onFailure` (the spot's report: one warning per message).
 */
export class FallbackLimitState implements LimitState {
  private readonly local = new MemoryLimitState();

  constructor(private readonly shared: () => LimitState | undefined, private readonly onFailure: (error: unknown) => void) {}

  reserve(buckets: Bucket[]): number {
    try {
      const shared = this.shared();
      if (shared) return shared.reserve(buckets);
    } catch (error) {
      this.onFailure(error);
    }
    return this.local.reserve(buckets);
  }

  async reserveAsync(buckets: Bucket[]): Promise<number> {
    try {
      const shared = this.shared();
      if (shared) return await (shared.reserveAsync ? shared.reserveAsync(buckets) : shared.reserve(buckets));
    } catch (error) {
      this.onFailure(error);
    }
    return this.local.reserve(buckets);
  }
}
