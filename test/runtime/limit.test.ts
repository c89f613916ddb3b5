import { describe, it, expect, vi, afterEach } from 'vitest';
import { Gcra, RateLimiter, type LimitOptions } from '../../runtime/limit/gcra.js';
import type { Bucket, LimitState } from '../../runtime/limit/limit-state.js';
import { MemoryLimitState } from '../../runtime/limit/memory-limit-state.js';
import { sleepSync } from '../../runtime/limit/sleep.js';

const T = 1000; // emission interval at 60 per minute

/** The waits of calls of these costs booked one after another on one limit (a zero cost books nothing). */
function reserveAll(state: LimitState, gcra: Gcra, costs: number[]): number[] {
  return costs.map((cost) => {
    gcra.check(cost);
    return cost === 0 ? 0 : state.reserve([gcra.bucket(cost)]);
  });
}

/** A state on a clock the test sets. */
function clocked(): { state: MemoryLimitState; at: (ms: number) => void } {
  let now = 0;
  return { state: new MemoryLimitState(() => now), at: (ms) => (now = ms) };
}

describe('GCRA on MemoryLimitState', () => {
  it('spaces calls T apart with burst 1, the first immediate', () => {
    const { state } = clocked();
    expect(reserveAll(state, new Gcra('a', 60), [1, 1, 1, 1, 1])).toEqual([0, T, 2 * T, 3 * T, 4 * T]);
  });

  it('does not bank idle time beyond the burst', () => {
    const { state, at } = clocked();
    const gcra = new Gcra('a', 60);
    reserveAll(state, gcra, [1]);
    at(1_000_000);
    expect(reserveAll(state, gcra, [1, 1])).toEqual([0, T]);
  });

  it('lets a burst of B through at once, then spaces by T', () => {
    const { state, at } = clocked();
    const gcra = new Gcra('a', 60, 3);
    expect(reserveAll(state, gcra, [1, 1, 1, 1, 1, 1])).toEqual([0, 0, 0, T, 2 * T, 3 * T]);
    at(1_000_000);
    expect(reserveAll(state, gcra, [1, 1, 1, 1])).toEqual([0, 0, 0, T]);
  });

  it('charges token costs before the call (burst 0)', () => {
    const { state } = clocked();
    expect(reserveAll(state, new Gcra('a', 60, 0), [10, 2, 5])).toEqual([0, 10_000, 12_000]);
  });

  it('keeps each bucket id apart, and books every bucket of a call, waiting for the slowest', () => {
    const { state } = clocked();
    const fast = new Gcra('fast', 600);
    const slow = new Gcra('slow', 60);
    expect(reserveAll(state, slow, [1, 1])).toEqual([0, T]);
    expect(reserveAll(state, fast, [1, 1])).toEqual([0, 100]);
    expect(state.reserve([fast.bucket(1), slow.bucket(1)])).toBe(2 * T);
    expect(reserveAll(state, fast, [1])).toEqual([300]);
  });

  it('rejects negative and non-finite costs', () => {
    const gcra = new Gcra('a', 60);
    for (const cost of [-1, NaN, Infinity]) {
      expect(() => gcra.check(cost)).toThrow(RangeError);
      expect(() => gcra.check(cost)).toThrow(`[beautyspot] a call's cost must be a finite number >= 0, got ${cost}.`);
    }
  });

  it('rejects a cost above a minute of budget', () => {
    const gcra = new Gcra('a', 60, 0);
    expect(() => gcra.check(61)).toThrow(RangeError);
    expect(() => gcra.check(61)).toThrow(
      '[beautyspot] a call costing 61 is more than the limit of 60 per minute allows, so it could never run; raise tpm, or split the call.');
    expect(() => gcra.check(60)).not.toThrow();
    expect(() => new Gcra('a', 60, 100).check(100)).not.toThrow();
  });

  it('validates its arguments', () => {
    expect(() => new Gcra('a', '60' as unknown as number)).toThrow(TypeError);
    expect(() => new Gcra('a', '60' as unknown as number)).toThrow('[beautyspot] perMinute must be a number, got string.');
    expect(() => new Gcra('a', 0)).toThrow(new RangeError('[beautyspot] perMinute must be a finite number > 0, got 0.'));
    expect(() => new Gcra('a', Infinity)).toThrow(RangeError);
    expect(() => new Gcra('a', 60, -1)).toThrow(new RangeError('[beautyspot] burst must be a finite number >= 0, got -1.'));
    expect(() => new Gcra('a', 60, NaN)).toThrow(RangeError);
  });
});

/** A state that records what it was asked to book, booking on a MemoryLimitState at clock 0. */
class RecordingState implements LimitState {
  readonly sync: Bucket[][] = [];
  readonly async: Bucket[][] = [];
  private readonly inner = new MemoryLimitState(() => 0);

  reserve(buckets: Bucket[]): number {
    this.sync.push(buckets);
    return this.inner.reserve(buckets);
  }

  async reserveAsync(buckets: Bucket[]): Promise<number> {
    this.async.push(buckets);
    return this.inner.reserve(buckets);
  }
}

describe('RateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('waits for the slower of rpm and tpm', () => {
    // rpm 60: 1000 ms a call; tpm 6000: 10 ms a token.
    const limiter = new RateLimiter({ rpm: 60, tpm: 6000 }, { state: new MemoryLimitState(() => 0) });
    expect([1, 1, 1, 500, 6000].map((cost) => limiter.reserve(cost))).toEqual([0, 1000, 2000, 3000, 5030]);
  });

  it('rejects a cost above the tpm budget and books nothing on either limit', () => {
    const limiter = new RateLimiter({ rpm: 60, tpm: 1000 }, { state: new MemoryLimitState(() => 0) });
    expect(() => limiter.reserve(1001)).toThrow(RangeError);
    expect(() => limiter.reserve(1001)).toThrow(/costing 1001 .* limit of 1000 per minute .* raise tpm, or split the call/);
    expect(limiter.reserve(1000)).toBe(0);
  });

  it('uses burst for requests and burstTokens for tokens', () => {
    const requests = new RateLimiter({ rpm: 60, burst: 2 }, { state: new MemoryLimitState(() => 0) });
    expect([1, 1, 1].map((cost) => requests.reserve(cost))).toEqual([0, 0, T]);
    const tokens = new RateLimiter({ tpm: 60, burstTokens: 10 }, { state: new MemoryLimitState(() => 0) });
    expect([4, 4, 4].map((cost) => tokens.reserve(cost))).toEqual([0, 0, 2 * T]);
  });

  it('sends each call\'s buckets, named <name>/rpm and <name>/tpm, without zero-cost ones', () => {
    const state = new RecordingState();
    const limiter = new RateLimiter({ rpm: 60, burst: 2, tpm: 6000 }, { name: 'spot/api', state });
    limiter.reserve(5);
    limiter.reserve(0);
    expect(state.sync).toEqual([
      [{ id: 'spot/api/rpm', interval: 1000, burst: 2, cost: 1 }, { id: 'spot/api/tpm', interval: 10, burst: 0, cost: 5 }],
      [{ id: 'spot/api/rpm', interval: 1000, burst: 2, cost: 1 }],
    ]);
    const tokensOnly = new RateLimiter({ tpm: 100 }, { state });
    expect(tokensOnly.reserve(0)).toBe(0);
    expect(state.sync).toHaveLength(2);
    tokensOnly.reserve(3);
    expect(state.sync[2]).toEqual([{ id: 'default/tpm', interval: 600, burst: 0, cost: 3 }]);
  });

  it('acquire books through reserveAsync when the state has it; acquireSync through reserve', async () => {
    const state = new RecordingState();
    const limiter = new RateLimiter({ rpm: 600_000 }, { name: 'n', state });
    await limiter.acquire(1);
    limiter.acquireSync(1);
    expect(state.async.map(b => b[0]!.id)).toEqual(['n/rpm']);
    expect(state.sync.map(b => b[0]!.id)).toEqual(['n/rpm']);
    await expect(new RateLimiter({ rpm: 60, tpm: 100 }, { state }).acquire(-1)).rejects.toThrow(RangeError);
    expect(state.async).toHaveLength(1);
  });

  it('rejects bad options with a clear error', () => {
    const make = (options: unknown) => () => new RateLimiter(options as LimitOptions);
    const cases: [unknown, ErrorConstructor, string][] = [
      [{ rmp: 60 }, TypeError, '[beautyspot] Unknown limit option "rmp" (did you mean "rpm"?)'],
      [{ tpm: 60, burst_tokens: 5 }, TypeError, '[beautyspot] Unknown limit option "burst_tokens" (did you mean "burstTokens"?)'],
      [{ rpm: 60, colour: 1 }, TypeError, '[beautyspot] Unknown limit option "colour"; known options: rpm, tpm, burst, burstTokens'],
      [{}, TypeError, '[beautyspot] a limit needs rpm (requests per minute) and/or tpm (tokens per minute), e.g. { rpm: 60 }.'],
      [null, TypeError, '[beautyspot] limit options must be an object, e.g. { rpm: 60 }.'],
      [{ rpm: -1 }, RangeError, '[beautyspot] rpm must be a finite number > 0, got -1.'],
      [{ tpm: NaN }, RangeError, '[beautyspot] tpm must be a finite number > 0, got NaN.'],
      [{ rpm: '60' }, TypeError, '[beautyspot] rpm must be a number, got string.'],
      [{ rpm: 60, burst: -2 }, RangeError, '[beautyspot] burst must be a finite number >= 0, got -2.'],
      [{ tpm: 1000, burst: 10 }, TypeError, '[beautyspot] burst applies to rpm, which is not set; for tokens use burstTokens.'],
      [{ rpm: 60, burstTokens: 10 }, TypeError, '[beautyspot] burstTokens applies to tpm, which is not set; for requests use burst.'],
    ];
    for (const [options, type, message] of cases) {
      expect(make(options)).toThrow(type);
      expect(make(options)).toThrow(message);
    }
  });

  it('acquire resolves at once, then after T (fake timers)', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter({ rpm: 60 }, { state: new MemoryLimitState(() => Date.now()) });
    const first = limiter.acquire(1);
    expect(first).toBeInstanceOf(Promise);
    await first;
    let done = false;
    const second = limiter.acquire(1).then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(T - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    await second;
  });

  it('acquire rejects, rather than throws, on a bad cost', async () => {
    const limiter = new RateLimiter({ tpm: 100 });
    const result = limiter.acquire(-1);
    await expect(result).rejects.toThrow(RangeError);
  });

  it('acquireSync blocks the thread until the call may start', () => {
    const wait = 30;
    const limiter = new RateLimiter({ rpm: 60_000 / wait }, {});
    const start = performance.now();
    limiter.acquireSync(1);
    limiter.acquireSync(1);
    expect(performance.now() - start).toBeGreaterThanOrEqual(wait);
  });
});

describe('sleepSync', () => {
  it('sleeps with Atomics.wait rather than spinning', () => {
    const wait = vi.spyOn(Atomics, 'wait');
    try {
      sleepSync(0);
      expect(wait).not.toHaveBeenCalled();
      const start = performance.now();
      sleepSync(5);
      expect(performance.now() - start).toBeGreaterThanOrEqual(5);
      expect(wait).toHaveBeenCalled();
      expect(wait.mock.results.every((result) => result.value === 'timed-out')).toBe(true);
    } finally {
      wait.mockRestore();
    }
  });
});
