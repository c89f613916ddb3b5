import { BeautyspotError, CorruptEntryError, messageOf } from '../errors.js';

/** How long a remote that failed is left alone before the next call tries it again (ms). */
export const RETRY_MS = 1000;

/**
 * Whether a remote is reachable, as its last answer said. The first failure of an outage is reported, the
 * rest are not; while it lasts, the remote is tried again at most every `retryMs`, so calls in between do not
 * each wait for a timeout.
 */
export class Outage {
  private down = false;
  private triedAt = 0;

  constructor(private readonly what: string, private readonly report: (error: unknown) => void, private readonly retryMs = RETRY_MS) {}

  /** True while the remote is down and was tried less than `retryMs` ago: go straight to the local tier. */
  get skip(): boolean {
    return this.down && performance.now() - this.triedAt < this.retryMs;
  }

  failed(error: unknown): void {
    this.triedAt = performance.now();
    if (this.down) return;
    this.down = true;
    this.report(new BeautyspotError(`[beautyspot] the remote ${this.what} cannot be reached (${messageOf(error)}): ` +
      'this machine reads and writes its local cache until the remote answers again, then copies up what it wrote meanwhile.', { cause: error }));
  }

  answered(): void {
    this.down = false;
  }

  /** `remote()` when the remote answers, else `local()`; a damaged entry is an answer (a miss), not an outage. */
  attempt<T>(remote: () => T, local: () => T): T {
    if (this.skip) return local();
    let value: T;
    try {
      value = remote();
    } catch (error) {
      return this.settle(error, local);
    }
    this.answered();
    return value;
  }

  async attemptAsync<T>(remote: () => Promise<T>, local: () => T): Promise<T> {
    if (this.skip) return local();
    let value: T;
    try {
      value = await remote();
    } catch (error) {
      return this.settle(error, local);
    }
    this.answered();
    return value;
  }

  private settle<T>(error: unknown, local: () => T): T {
    if (error instanceof CorruptEntryError) {
      this.answered();
      throw error;
    }
    this.failed(error);
    return local();
  }
}
