import { afterEach, describe, it, expect } from 'vitest';
import { CacheMissError } from '../../runtime/index.js';
import { tempSpot } from '../helpers/temp-spot.js';

const savedAccess = process.env.BEAUTYSPOT_ACCESS;

afterEach(() => {
  if (savedAccess === undefined) delete process.env.BEAUTYSPOT_ACCESS;
  else process.env.BEAUTYSPOT_ACCESS = savedAccess;
});

/** A body returning a fresh token per execution, so a stored value is told apart from a new one. */
function tokens(): { body: (x: number) => string; runs: () => number } {
  let runs = 0;
  return { body: (x: number) => `${x}#${++runs}`, runs: () => runs };
}

describe('access mode r (cache only)', () => {
  it('a miss throws CacheMissError naming the function, and the body never runs', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'lookupOnly', access: 'r' });
    expect(() => f(1)).toThrow(CacheMissError);
    expect(() => f(1)).toThrow('[beautyspot] lookupOnly: no cached result for these arguments, and access mode "r" forbids running it.');
    expect(runs()).toBe(0);
    expect(spot.entries()).toHaveLength(0);
  });

  it('a miss of an async function rejects with CacheMissError', async () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark(async (x: number) => x + ++runs, { name: 'lookupOnlyAsync', access: 'r' });
    const result = f(1);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(CacheMissError);
    await expect(f(1)).rejects.toThrow('lookupOnlyAsync: no cached result');
    expect(runs).toBe(0);
  });

  it('a hit returns the stored value', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    expect(spot.cachedRun(body, { name: 'f' })(1)).toBe('1#1');
    const cached = spot.cachedRun(body, { name: 'f', access: 'r' });
    expect(cached(1)).toBe('1#1');
    expect(runs()).toBe(1);
    const error = (() => {
      try {
        cached(2);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CacheMissError);
    expect((error as CacheMissError).fn).toBe('f');
  });
});

describe('access modes that run the body', () => {
  it('ew always runs and overwrites the stored value', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    const normal = spot.cachedRun(body, { name: 'f' });
    const refresh = spot.cachedRun(body, { name: 'f', access: 'ew' });
    expect(normal(1)).toBe('1#1');
    expect(refresh(1)).toBe('1#2');
    expect(refresh(1)).toBe('1#3');
    expect(normal(1)).toBe('1#3');
    expect(runs()).toBe(3);
    expect(spot.entries()).toHaveLength(1);
  });

  it('e runs every time and never stores: a later rew call runs again', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    const bypass = spot.cachedRun(body, { name: 'f', access: 'e' });
    expect(bypass(1)).toBe('1#1');
    expect(bypass(1)).toBe('1#2');
    expect(spot.entries()).toHaveLength(0);
    const normal = spot.cachedRun(body, { name: 'f' });
    expect(normal(1)).toBe('1#3');
    // e does not read either: the stored entry does not stop it running
    expect(bypass(1)).toBe('1#4');
    expect(normal(1)).toBe('1#3');
  });

  it('re runs on a miss without storing, and reads hits', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    const readExec = spot.cachedRun(body, { name: 'f', access: 're' });
    expect(readExec(1)).toBe('1#1');
    expect(readExec(1)).toBe('1#2');
    expect(spot.entries()).toHaveLength(0);
    expect(spot.cachedRun(body, { name: 'f' })(1)).toBe('1#3');
    expect(readExec(1)).toBe('1#3');
    expect(runs()).toBe(3);
  });

  it('async functions follow the modes too: e runs each call, re reads a stored value', async () => {
    const spot = tempSpot();
    let runs = 0;
    const body = async (x: number) => `${x}#${++runs}`;
    const bypass = spot.cachedRun(body, { name: 'g', access: 'e' });
    expect(await bypass(1)).toBe('1#1');
    expect(await bypass(1)).toBe('1#2');
    expect(await spot.cachedRun(body, { name: 'g' })(1)).toBe('1#3');
    expect(await spot.cachedRun(body, { name: 'g', access: 're' })(1)).toBe('1#3');
    expect(runs).toBe(3);
  });
});

describe('where the mode comes from', () => {
  it('the spot-level access default applies to its functions', () => {
    const spot = tempSpot({ access: 'r' });
    const { body, runs } = tokens();
    const f = spot.cachedRun(body, { name: 'f' });
    expect(() => f(1)).toThrow(CacheMissError);
    expect(runs()).toBe(0);
    // a function's own mode wins over the spot's
    expect(spot.cachedRun(body, { name: 'f', access: 'rew' })(1)).toBe('1#1');
    expect(f(1)).toBe('1#1');
  });

  it('BEAUTYSPOT_ACCESS=r overrides the mode of the function and of the spot', () => {
    const spot = tempSpot({ access: 'ew' });
    const { body, runs } = tokens();
    expect(spot.cachedRun(body, { name: 'f', access: 'rew' })(1)).toBe('1#1');
    process.env.BEAUTYSPOT_ACCESS = 'r';
    // the variable is read on a function's first call: these are fresh wrappers
    const own = spot.cachedRun(body, { name: 'f', access: 'rew' });
    expect(own(1)).toBe('1#1');
    expect(() => own(2)).toThrow(CacheMissError);
    const spotDefault = spot.cachedRun(body, { name: 'f' });
    expect(spotDefault(1)).toBe('1#1');
    expect(() => spotDefault(3)).toThrow(CacheMissError);
    expect(runs()).toBe(1);
  });

  it('BEAUTYSPOT_ACCESS is read once, on the first call of each function', () => {
    const spot = tempSpot();
    const { body, runs } = tokens();
    const early = spot.cachedRun(body, { name: 'f' });
    expect(early(1)).toBe('1#1');
    process.env.BEAUTYSPOT_ACCESS = 'e';
    expect(early(1)).toBe('1#1');
    expect(spot.cachedRun(body, { name: 'f' })(1)).toBe('1#2');
    expect(runs()).toBe(2);
  });

  it('an invalid mode throws a TypeError listing the valid ones', () => {
    const spot = tempSpot();
    const valid = 'must be one of "rew", "r", "ew", "e", "re" (r = read, e = execute, w = write), got "rw"';
    // @ts-expect-error: not an access mode
    expect(() => spot.mark((x: number) => x, { name: 'f', access: 'rw' })).toThrow(TypeError);
    // @ts-expect-error: not an access mode
    expect(() => spot.mark((x: number) => x, { name: 'f', access: 'rw' })).toThrow(`mark option "access" ${valid}`);
    // @ts-expect-error: not an access mode
    expect(() => tempSpot({ access: 'rw' })).toThrow(`spot option "access" ${valid}`);
  });

  it('an invalid BEAUTYSPOT_ACCESS throws a TypeError naming the variable on the first call', async () => {
    const spot = tempSpot();
    process.env.BEAUTYSPOT_ACCESS = 'read';
    const f = spot.cachedRun((x: number) => x, { name: 'f' });
    expect(() => f(1)).toThrow(TypeError);
    expect(() => spot.cachedRun((x: number) => x, { name: 'f' })(1))
      .toThrow('BEAUTYSPOT_ACCESS must be one of "rew", "r", "ew", "e", "re" (r = read, e = execute, w = write), got "read"');
    await expect(spot.cachedRun(async (x: number) => x, { name: 'g' })(1)).rejects.toThrow('BEAUTYSPOT_ACCESS must be one of');
  });
});
