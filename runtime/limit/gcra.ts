import { checkOptionNames } from '../option-names.js';
import { sleep, sleepSync } from './sleep.js';

/**
 * Generic cell rate algorithm, virtual-scheduling form: `perMinute` units a minute, `burst` of
 * which may pass back-to-back. Callers pay before they run: reserve() books the units at once
 * and returns how long to wait before starting.
 */
export class Gcra {
  /** Emission interval: ms per unit. */
  readonly interval: number;
  /** Theoretical arrival time. Idle time does not bank: a reservation starts no earlier than now. */
  private tat = -Infinity;

  constructor(readonly perMinute: number, readonly burst = 1) {
    // Validate arguments
    checkNumber('perMinute', perMinute, false);
    checkNumber('burst', burst, true);
    this.interval = 60_000 / perMinute;
  }

  /** Throws the RangeError that reserve(cost) would throw, without reserving anything. */
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

  /** Books `cost` units at clock time `now` (ms); returns the wait in ms before the call may start. */
  reserve(cost: number, now: number): number {
    this.check(cost);
    if (cost === 0) return 0;
    this.tat = Math.max(this.tat, now) + cost * this.interval;
    return Math.max(0, this.tat - Math.max(this.burst, cost) * this.interval - now);
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

/** Enforces LimitOptions in process: every call reserves on the rpm and tpm limits together. */
export class RateLimiter {
  private readonly rpm?: Gcra;
  private readonly tpm?: Gcra;
  private readonly now: () => number;

  constructor(options: LimitOptions, clock: { now?: () => number } = {}) {
    // Validate arguments
    checkOptions(options);
    if (options.rpm !== undefined) this.rpm = new Gcra(options.rpm, options.burst ?? 1);
    if (options.tpm !== undefined) this.tpm = new Gcra(options.tpm, options.burstTokens ?? 0);
    this.now = clock.now ?? (() => performance.now());
  }

  /** Books one request of `cost` tokens (cost is ignored without tpm); returns the wait in ms. */
  reserve(cost: number): number {
    // Check both limits before booking either, so a RangeError books nothing.
    this.rpm?.check(1);
    this.tpm?.check(cost);
    const now = this.now();
    return Math.max(this.rpm?.reserve(1, now) ?? 0, this.tpm?.reserve(cost, now) ?? 0);
  }

  /** Books the call, then resolves once it may start. */
  async acquire(cost: number): Promise<void> {
    const wait = this.reserve(cost);
    if (wait > 0) await sleep(wait);
  }

  /** Books the call, then blocks the thread until it may start. */
  acquireSync(cost: number): void {
    sleepSync(this.reserve(cost));
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
