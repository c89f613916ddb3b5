import { afterEach, describe, it, expect, vi } from 'vitest';
import { cachedRun, defineSpot, getSpot, mark, RateLimiter, Spot } from '../../runtime/index.js';
import type { MarkOptions, SpotOptions } from '../../runtime/index.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('mark options', () => {
  it('an unknown or misspelled option throws a TypeError suggesting the known name', () => {
    const spot = tempSpot();
    const cases: [string, string][] = [['tll', 'ttl'], ['verison', 'version'], ['acess', 'access'], ['codehash', 'codeHash'],
      ['tag', 'tags'], ['limt', 'limit'], ['keys', 'key']];
    for (const [given, meant] of cases) {
      const options = { [given]: 1 } as MarkOptions;
      expect(() => spot.mark((x: number) => x, options), given).toThrow(TypeError);
      expect(() => spot.mark((x: number) => x, options)).toThrow(`[beautyspot] Unknown mark option "${given}" (did you mean "${meant}"?)`);
    }
    expect(() => spot.cachedRun((x: number) => x, { tll: '1d' } as MarkOptions)).toThrow('Unknown cachedRun option "tll" (did you mean "ttl"?)');
    expect(() => spot.mark({ verison: 2 } as MarkOptions)).toThrow('Unknown mark option "verison" (did you mean "version"?)');
    expect(() => mark((x: number) => x, { spto: 'api' } as MarkOptions)).toThrow('Unknown mark option "spto" (did you mean "spot"?)');
  });

  it('an option name far from every known one lists the known options', () => {
    const spot = tempSpot();
    expect(() => spot.mark((x: number) => x, { memoizeForever: true } as MarkOptions))
      .toThrow('Unknown mark option "memoizeForever"; known options: version, name, ttl, blob, spot, key, access, cost, limit, codeHash, tags, memory, onHit');
  });

  it('a wrong value type throws a TypeError naming the option', () => {
    const spot = tempSpot();
    const cases: [Record<string, unknown>, string][] = [
      [{ version: true }, 'mark option "version" must be a string or a number, got true'],
      [{ name: '' }, 'mark option "name" must be a non-empty string, got ""'],
      [{ name: 7 }, 'mark option "name" must be a non-empty string, got 7'],
      [{ blob: 'yes' }, 'mark option "blob" must be true or false, got "yes"'],
      [{ spot: 1 }, 'mark option "spot" must be a spot name, got 1'],
      [{ key: 'id' }, 'mark option "key" must be a function of the arguments, got "id"'],
      [{ cost: -1 }, 'mark option "cost" must be a number ≥ 0 or a function of the arguments, got -1'],
      [{ cost: Infinity }, 'mark option "cost" must be a number ≥ 0 or a function of the arguments'],
      [{ cost: '3' }, 'mark option "cost" must be a number ≥ 0 or a function of the arguments, got "3"'],
      [{ limit: true }, 'mark option "limit" must be a limit name or false, got true'],
      [{ codeHash: 0 }, 'mark option "codeHash" must be true or false, got 0'],
      [{ tags: 'a,b' }, 'mark option "tags" must be an array of strings, got "a,b"'],
      [{ tags: ['a', 1] }, 'mark option "tags" must be an array of strings, got ["a",1]'],
      [{ ttl: [] }, 'mark option "ttl" must be a duration like'],
      [{ access: 'w' }, 'mark option "access" must be one of "rew", "r", "ew", "e", "re"'],
    ];
    for (const [options, message] of cases) {
      expect(() => spot.mark((x: number) => x, options as MarkOptions), message).toThrow(TypeError);
      expect(() => spot.mark((x: number) => x, options as MarkOptions)).toThrow(message);
    }
    expect(() => spot.cachedRun((x: number) => x, { blob: 1 } as unknown as MarkOptions)).toThrow('cachedRun option "blob" must be true or false');
  });

  it('options that are not an object throw', () => {
    const spot = tempSpot();
    expect(() => spot.mark((x: number) => x, 'v2' as MarkOptions)).toThrow('[beautyspot] mark options must be an object');
    expect(() => spot.cachedRun((x: number) => x, null as unknown as MarkOptions)).toThrow('[beautyspot] cachedRun options must be an object');
    // @ts-expect-error: not a function
    expect(() => spot.mark(42)).toThrow('[beautyspot] mark options must be an object');
    // @ts-expect-error: not a function
    expect(() => spot.cachedRun(null)).toThrow('[beautyspot] mark needs a function, got null');
  });
});

describe('spot options', () => {
  it('an unknown or misspelled spot option throws a TypeError suggesting the known name', () => {
    const dir = tempDir();
    const cases: [string, string][] = [['maxEntires', 'maxEntries'], ['maxEntrie', 'maxEntries'], ['summery', 'summary'], ['onerror', 'onError'], ['blobThreshhold', 'blobThreshold'],
      ['limts', 'limits'], ['ttll', 'ttl']];
    for (const [given, meant] of cases) {
      const options = { dir, [given]: 1 } as SpotOptions;
      expect(() => new Spot('s', options), given).toThrow(TypeError);
      expect(() => new Spot('s', options)).toThrow(`[beautyspot] Unknown spot option "${given}" (did you mean "${meant}"?)`);
    }
    expect(() => defineSpot('s', { dir, maxBytse: 5 } as SpotOptions)).toThrow('Unknown spot option "maxBytse" (did you mean "maxBytes"?)');
    expect(() => new Spot('s', { dir, evictAfter: '1d' } as SpotOptions)).toThrow('Unknown spot option "evictAfter"; known options: dir, store,');
  });

  it('a wrong value type throws naming the option', () => {
    const dir = tempDir();
    const cases: [Record<string, unknown>, ErrorConstructor | RangeErrorConstructor, string][] = [
      [{ maxEntries: '10' }, TypeError, 'spot option "maxEntries" must be a number, got string'],
      [{ maxEntries: -1 }, RangeError, 'spot option "maxEntries" must be a whole number ≥ 0, got -1'],
      [{ maxBytes: 1.5 }, RangeError, 'spot option "maxBytes" must be a whole number ≥ 0, got 1.5'],
      [{ blobThreshold: '64k' }, TypeError, 'spot option "blobThreshold" must be a number, got string'],
      [{ ttl: 'forever' }, TypeError, 'spot option "ttl" must be a duration like "30s"'],
      [{ access: 'read' }, TypeError, 'spot option "access" must be one of "rew", "r", "ew", "e", "re"'],
      [{ limit: { rpm: '60' } }, TypeError, 'rpm must be a number, got string'],
      [{ limit: { rpn: 60 } }, TypeError, 'Unknown limit option "rpn" (did you mean "rpm"?)'],
      [{ limits: { api: { tpm: -5 } } }, RangeError, 'tpm must be a finite number > 0, got -5'],
      [{ dir: 7 }, TypeError, 'spot option "dir" must be a directory path, got 7'],
      [{ summary: 'yes' }, TypeError, 'spot option "summary" must be true or false, got "yes"'],
      [{ onError: 'log' }, TypeError, 'spot option "onError" must be a function, got "log"'],
      [{ limits: 5 }, TypeError, 'spot option "limits" must be an object of named limits, got 5'],
      [{ store: 'sqlite' }, TypeError, 'spot option "store" must be an object, got "sqlite"'],
      [{ codec: null }, TypeError, 'spot option "codec" must be an object, got null'],
    ];
    for (const [options, errorClass, message] of cases) {
      expect(() => new Spot('s', { dir, ...options } as SpotOptions), message).toThrow(errorClass);
      expect(() => new Spot('s', { dir, ...options } as SpotOptions)).toThrow(message);
    }
  });

  it('a spot name that cannot name a file throws a TypeError', () => {
    const dir = tempDir();
    for (const name of ['', 'a/b', '../up', '.hidden', '-dash', 'has space', 'back\\slash', 'ü']) {
      expect(() => new Spot(name, { dir }), name).toThrow(TypeError);
      expect(() => new Spot(name, { dir })).toThrow(`a spot name must be letters, digits, "_", "." or "-" (it names a file), got ${JSON.stringify(name)}`);
    }
    expect(() => new Spot(42 as unknown as string, { dir })).toThrow('got 42');
    expect(() => defineSpot('a/b', { dir })).toThrow('a spot name must be');
    for (const name of ['api', 'my-spot.v2', '_private', '2024']) expect(new Spot(name, { dir }).name).toBe(name);
  });
});

describe('named spots', () => {
  it('getSpot of an undefined name throws naming defineSpot and the defined spots', () => {
    const dir = tempDir();
    const known = defineSpot('known-one', { dir });
    try {
      expect(() => getSpot('nope')).toThrow(TypeError);
      expect(() => getSpot('nope')).toThrow('[beautyspot] no spot named "nope" is defined. Call defineSpot("nope", { … }) before the first cached call');
      expect(() => getSpot('nope')).toThrow(/; defined: (.*, )?"known-one"/);
      expect(getSpot('known-one')).toBe(known);
    } finally {
      known.close();
    }
  });

  it('mark with a spot option finds the spot on the first call, so it may be defined later', () => {
    const dir = tempDir();
    let runs = 0;
    const f = mark((x: number) => x + ++runs, { spot: 'defined-later', name: 'late' });
    const g = cachedRun((x: number) => x, { spot: 'never-defined', name: 'orphan' });
    const spot = defineSpot('defined-later', { dir });
    try {
      expect(f(1)).toBe(2);
      expect(f(1)).toBe(2);
      expect(spot.entries().map(e => e.fn)).toEqual(['late']);
      expect(() => g(1)).toThrow('no spot named "never-defined" is defined. Call defineSpot("never-defined"');
    } finally {
      spot.close();
    }
  });
});

describe('rate limits', () => {
  it('a limit name the spot does not have throws on the first call, naming the known limits', async () => {
    const spot = tempSpot({ limits: { fast: { rpm: 600 }, slow: { rpm: 6 } } });
    let runs = 0;
    const f = spot.mark((x: number) => x + ++runs, { name: 'f', limit: 'missing' });
    expect(() => f(1)).toThrow(TypeError);
    expect(() => f(1)).toThrow('[beautyspot] spot "test" has no limit named "missing"; it has "fast", "slow"');
    await expect(spot.mark(async (x: number) => x, { name: 'g', limit: 'missing' })(1)).rejects.toThrow('has no limit named "missing"');
    expect(runs).toBe(0);
    const bare = tempSpot({}, 'bare');
    expect(() => bare.mark((x: number) => x, { name: 'h', limit: 'api' })(1))
      .toThrow('spot "bare" has no limit named "api"; define it with defineSpot(name, { limits: { … } })');
  });

  it('hits never consume the limit: reserve runs once per execution', () => {
    const reserve = vi.spyOn(RateLimiter.prototype, 'reserve');
    // one request a minute: a hit that had to wait would block this test for a minute
    const spot = tempSpot({ limit: { rpm: 1 } });
    let runs = 0;
    const f = spot.mark((x: number) => x * 10 + ++runs, { name: 'f' });
    expect(f(1)).toBe(11);
    for (let i = 0; i < 100; i++) expect(f(1)).toBe(11);
    expect(runs).toBe(1);
    expect(reserve).toHaveBeenCalledTimes(1);
  });

  it('async hits never consume the limit either', async () => {
    const acquire = vi.spyOn(RateLimiter.prototype, 'acquire');
    const spot = tempSpot({ limit: { rpm: 600_000 } });
    let runs = 0;
    const f = spot.mark(async (x: number) => x * 10 + ++runs, { name: 'f' });
    for (const x of [1, 2, 3]) expect(await f(x)).toBe(x * 10 + x);
    for (let i = 0; i < 50; i++) expect(await f(i % 3 + 1)).toBe((i % 3 + 1) * 11);
    expect(runs).toBe(3);
    expect(acquire).toHaveBeenCalledTimes(3);
  });

  it('refuses a spot whose limit and limits.default would share one limit state', () => {
    expect(() => new Spot('both', { limit: { rpm: 60 }, limits: { default: { rpm: 6 } } })).toThrow(TypeError);
    expect(() => new Spot('both', { limit: { rpm: 60 }, limits: { default: { rpm: 6 } } }))
      .toThrow('[beautyspot] spot options "limit" and "limits.default" name the same limit; give the named limit another name, or drop one of them.');
    expect(() => new Spot('one', { limits: { default: { rpm: 6 } } })).not.toThrow();
  });

  it('limit: false opts a function out of the spot limit', () => {
    const reserve = vi.spyOn(RateLimiter.prototype, 'reserve');
    const spot = tempSpot({ limit: { rpm: 600_000 } });
    const f = spot.mark((x: number) => x, { name: 'free', limit: false });
    f(1);
    f(2);
    expect(reserve).not.toHaveBeenCalled();
  });

  it('a cost function receives the arguments and this, and its value is reserved', () => {
    const reserve = vi.spyOn(RateLimiter.prototype, 'reserve');
    const spot = tempSpot({ limits: { tokens: { tpm: 1_000_000 } } });
    const seen: unknown[] = [];
    const complete = spot.cachedRun(function (this: unknown, prompt: string, max: number) {
      return prompt.slice(0, max);
    }, {
      name: 'complete', limit: 'tokens',
      cost(this: unknown, prompt, max) {
        seen.push([this, prompt, max]);
        return prompt.length + max;
      },
    });
    const client = { complete };
    expect(client.complete('hello world', 5)).toBe('hello');
    expect(client.complete('hello world', 5)).toBe('hello');
    expect(seen).toEqual([[client, 'hello world', 5]]);
    expect(reserve.mock.calls).toEqual([[16]]);
  });

  it('a cost larger than the budget rejects with RangeError and the body does not run', async () => {
    const spot = tempSpot({ limits: { tokens: { tpm: 100 } } });
    let runs = 0;
    const f = spot.mark((text: string) => (runs++, text), { name: 'big', limit: 'tokens', cost: text => text.length });
    expect(() => f('x'.repeat(1000))).toThrow(RangeError);
    expect(() => f('x'.repeat(1000))).toThrow('a call costing 1000 is more than the limit of 100 per minute allows');
    const g = spot.mark(async (text: string) => (runs++, text), { name: 'bigAsync', limit: 'tokens', cost: 500 });
    await expect(g('x')).rejects.toThrow(RangeError);
    await expect(g('x')).rejects.toThrow('a call costing 500 is more than the limit of 100 per minute allows');
    expect(runs).toBe(0);
    expect(spot.entries()).toHaveLength(0);
    expect(f('x'.repeat(10))).toBe('x'.repeat(10));
    expect(runs).toBe(1);
  });
});
