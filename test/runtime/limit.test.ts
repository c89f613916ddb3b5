import { describe, it, expect, vi, afterEach } from 'vitest';
import { Gcra, RateLimiter, type LimitOptions } from '../../runtime/limit/gcra.js';
import { sleepSync } from '../../runtime/limit/sleep.js';

const T = 1000; // emission interval at 60 per minute

function reserveAll(gcra: Gcra, costs: number[], now: number): number[] {
  return costs.map((cost) => gcra.reserve(cost, now));
}

describe('Gcra', () => {
  it('spaces calls T apart with burst 1, the first immediate', () => {
    const gcra = new Gcra(60);
    expect(reserveAll(gcra, [1, 1, 1, 1, 1], 0)).toEqual([0, T, 2 * T, 3 * T, 4 * T]);
  });

  it('does not bank idle time beyond the burst', () => {
    const gcra = new Gcra(60);
    gcra.reserve(1, 0);
    expect(reserveAll(gcra, [1, 1], 1_000_000)).toEqual([0, T]);
  });

  it('lets a burst of B through at once, then spaces by T', () => {
    const gcra = new Gcra(60, 3);
    expect(reserveAll(gcra, [1, 1, 1, 1, 1, 1], 0)).toEqual([0, 0, 0, T, 2 * T, 3 * T]);
    expect(reserveAll(gcra, [1, 1, 1, 1], 1_000_000)).toEqual([0, 0, 0, T]);
  });

  it('charges token costs before the call (burst 0)', () => {
    const gcra = new Gcra(60, 0);
    expect(reserveAll(gcra, [10, 2, 5], 0)).toEqual([0, 10_000, 12_000]);
  });

  it('treats cost 0 as free and stateless', () => {
    const gcra = new Gcra(60);
    expect(reserveAll(gcra, [0, 0, 1, 0, 1], 0)).toEqual([0, 0, 0, 0, T]);
  });

  it('rejects negative and non-finite costs', () => {
    const gcra = new Gcra(60);
    for (const cost of [-1, NaN, Infinity]) {
      expect(() => gcra.reserve(cost, 0)).toThrow(RangeError);
      expect(() => gcra.reserve(cost, 0)).toThrow(`[beautyspot] a call's cost must be a finite number >= 0, got ${cost}.`);
    }
    expect(gcra.reserve(1, 0)).toBe(0);
  });

  it('rejects a cost above a minute of budget without reserving', () => {
    const gcra = new Gcra(60, 0);
    expect(() => gcra.reserve(61, 0)).toThrow(RangeError);
    expect(() => gcra.reserve(61, 0)).toThrow(
      '[beautyspot] a call costing 61 is more than the limit of 60 per minute allows, so it could never run; raise tpm, or split the call.');
    expect(gcra.reserve(60, 0)).toBe(0);
  });

  it('validates its arguments', () => {
    expect(() => new Gcra('60' as unknown as number)).toThrow(TypeError);
    expect(() => new Gcra('60' as unknown as number)).toThrow('[beautyspot] perMinute must be a number, got string.');
    expect(() => new Gcra(0)).toThrow(new RangeError('[beautyspot] perMinute must be a finite number > 0, got 0.'));
    expect(() => new Gcra(Infinity)).toThrow(RangeError);
    expect(() => new Gcra(60, -1)).toThrow(new RangeError('[beautyspot] burst must be a finite number >= 0, got -1.'));
    expect(() => new Gcra(60, NaN)).toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('waits for the slower of rpm and tpm', () => {
    // rpm 60: 1000 ms a call; tpm 6000: 10 ms a token.
    const limiter = new RateLimiter({ rpm: 60, tpm: 6000 }, { now: () => 0 });
    expect([1, 1, 1, 500, 6000].map((cost) => limiter.reserve(cost))).toEqual([0, 1000, 2000, 3000, 5030]);
  });

  it('rejects a cost above the tpm budget and books nothing on either limit', () => {
    const limiter = new RateLimiter({ rpm: 60, tpm: 1000 }, { now: () => 0 });
    expect(() => limiter.reserve(1001)).toThrow(RangeError);
    expect(() => limiter.reserve(1001)).toThrow(/costing 1001 .* limit of 1000 per minute .* raise tpm, or split the call/);
    expect(limiter.reserve(1000)).toBe(0);
  });

  it('uses burst for requests and burstTokens for tokens', () => {
    const requests = new RateLimiter({ rpm: 60, burst: 2 }, { now: () => 0 });
    expect([1, 1, 1].map((cost) => requests.reserve(cost))).toEqual([0, 0, T]);
    const tokens = new RateLimiter({ tpm: 60, burstTokens: 10 }, { now: () => 0 });
    expect([4, 4, 4].map((cost) => tokens.reserve(cost))).toEqual([0, 0, 2 * T]);
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
    const limiter = new RateLimiter({ rpm: 60 }, { now: () => Date.now() });
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
    const limiter = new RateLimiter({ rpm: 60_000 / wait }, { now: () => performance.now() });
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
