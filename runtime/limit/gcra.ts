import { checkOptionNames } from '../option-names.js';
import type { Bucket, LimitState } from './limit-state.js';
import { MemoryLimitState } from './memory-limit-state.js';
import { sleep, sleepSync } from './sleep.js';

/**
 * One GCRA limit, generic cell rate algorithm in its virtual-scheduling form: `perMinute` units a minute, `burst`
 * of which may pass back-to-back. It keeps no state: calls book its bucket on a LimitState (limit-state.ts).
 */
export class Gcra {
  /** Emission interval: ms per unit. */
  readonly interval: number;

  constructor(readonly id: string, readonly perMinute: number, readonly burst = 1) {
    // Validate arguments
    checkNumber('perMinute', perMinute, false);
    checkNumber('burst', burst, true);
    this.interval = 60_000 / perMinute;
  }

  /** Throws a RangeError for a cost this limit could never pass (or not a cost at all). */
  check(cost: number): void {
    if (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0) {
      throw new RangeError(`[beautyspot] a call's cost must be a finite number >= 0, got ${String(cost)}.`);
    }
    // With burst > perMinute, a burst's worth may still pass at once.
    const most = Math.max(this.perMinute, this.burst);
    if (cost > most) {
      throw new RangeError(`[beautyspot] a call costing ${cost} is more than the limit of ${most} per minute allows, ` +
        'so it could never run; raise tpm, or split the call.');
    }
  }

  /** The booking of `cost` units (> 0) on this limit. */
  bucket(cost: number): Bucket {
    return { id: this.id, interval: this.interval, burst: this.burst, cost };
  }
}

/** Limits for one spot: requests and/or tokens per minute, with their burst allowances. */
export interface LimitOptions {
  /** Requests per minute; each call costs 1. */
  rpm?: number;
  /** Tokens per minute; each call costs its own token count. */
  tpm?: number;
  /** Requests that may pass back-to-back (default 1). */
  burst?: number;
  /** Tokens that may pass back-to-back (default 0: each call waits for its own tokens). */
  burstTokens?: number;
}

/** Where a RateLimiter books. */
export interface RateLimiterSetup {
  /** Names its buckets in the state (`<name>/rpm`, `<name>/tpm`); limiters sharing a state and a name share the limit. Default "default". */
  name?: string;
  /** Default: a MemoryLimitState of its own (this process, monotonic clock). */
  state?: LimitState;
}

/** Enforces LimitOptions: every call books the rpm and tpm limits together, on the limiter's state. */
export class RateLimiter {
  private readonly rpm?: Gcra;
  private readonly tpm?: Gcra;
  private readonly state: LimitState;

  constructor(options: LimitOptions, setup: RateLimiterSetup = {}) {
    // Validate arguments
    checkOptions(options);
    const name = setup.name ?? 'default';
    if (options.rpm !== undefined) this.rpm = new Gcra(`${name}/rpm`, options.rpm, options.burst ?? 1);
    if (options.tpm !== undefined) this.tpm = new Gcra(`${name}/tpm`, options.tpm, options.burstTokens ?? 0);
    this.state = setup.state ?? new MemoryLimitState();
  }

  /** Books one request of `cost` tokens (cost is ignored without tpm); returns the wait in ms. */
  reserve(cost: number): number {
    const buckets = this.buckets(cost);
    return buckets.length === 0 ? 0 : this.state.reserve(buckets);
  }

  /**
   * Books the call (through the state's async form when it has one), then resolves once it may start. `onWait` is
   * told the wait ahead, when there is one, before it begins.
   */
  async acquire(cost: number, onWait?: (ms: number) => void): Promise<void> {
    const buckets = this.buckets(cost);
    if (buckets.length === 0) return;
    const wait = this.state.reserveAsync ? await this.state.reserveAsync(buckets) : this.state.reserve(buckets);
    if (wait <= 0) return;
    onWait?.(wait);
    await sleep(wait);
  }

  /** Books the call, then blocks the thread until it may start (telling `onWait` the wait ahead, as `acquire`). */
  acquireSync(cost: number, onWait?: (ms: number) => void): void {
    const wait = this.reserve(cost);
    if (wait <= 0) return;
    onWait?.(wait);
    sleepSync(wait);
  }

  /** What a call of `cost` books. Both limits are checked first, so a RangeError books nothing. */
  private buckets(cost: number): Bucket[] {
    this.rpm?.check(1);
    this.tpm?.check(cost);
    const buckets: Bucket[] = [];
    if (this.rpm) buckets.push(this.rpm.bucket(1));
    if (this.tpm && cost > 0) buckets.push(this.tpm.bucket(cost));
    return buckets;
  }
}

const OPTIONS = ['rpm', 'tpm', 'burst', 'burstTokens'] as const;

function checkOptions(options: LimitOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('[beautyspot] limit options must be an object, e.g. { rpm: 60 }.');
  }
  checkOptionNames(options, OPTIONS, 'limit');
  if (options.rpm === undefined && options.tpm === undefined) {
    throw new TypeError('[beautyspot] a limit needs rpm (requests per minute) and/or tpm (tokens per minute), e.g. { rpm: 60 }.');
  }
  for (const name of OPTIONS) {
    if (options[name] !== undefined) checkNumber(name, options[name], name.startsWith('burst'));
  }
  if (options.burst !== undefined && options.rpm === undefined) {
    throw new TypeError('[beautyspot] burst applies to rpm, which is not set; for tokens use burstTokens.');
  }
  if (options.burstTokens !== undefined && options.tpm === undefined) {
    throw new TypeError('[beautyspot] burstTokens applies to tpm, which is not set; for requests use burst.');
  }
}

function checkNumber(name: string, value: unknown, zeroOk: boolean): void {
  if (typeof value !== 'number') throw new TypeError(`[beautyspot] ${name} must be a number, got ${typeof value}.`);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroOk)) {
    throw new RangeError(`[beautyspot] ${name} must be a finite number ${zeroOk ? '>= 0' : '> 0'}, got ${value}.`);
  }
}
