import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineSpot, getSpot, mark, markCompiled } from '../../runtime/index.js';
import { tempDir } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
  for (const name of ['default', 'api']) {
    try {
      getSpot(name).close();
    } catch {
      // never defined in this test
    }
  }
});

function silencedWarnings(): ReturnType<typeof vi.spyOn> {
  return vi.spyOn(console, 'warn').mockImplementation(() => undefined);
}

describe('a cached function uses its spot as it is at each call', () => {
  it('defineSpot("default", { dir }) after marking, before the first call, takes effect', () => {
    let runs = 0;
    const f = mark(function lateDefault(x: number) { return (runs++, x + 1); });
    const dir = tempDir();
    defineSpot('default', { dir });
    expect(f(1)).toBe(2);
    expect(existsSync(join(dir, 'default.sqlite'))).toBe(true);
    expect(f(1)).toBe(2);
    expect(runs).toBe(1);
  });

  it('a compiled function without a spot option finds a default defined after its module loaded', () => {
    let runs = 0;
    const f = markCompiled(undefined, (x: number) => (runs++, x * 3), {}, { id: 'src/a.ts#triple', codeHash: 'c0de', params: ['x'] });
    const dir = tempDir();
    defineSpot('default', { dir });
    expect(f(2)).toBe(6);
    expect(f(2)).toBe(6);
    expect(runs).toBe(1);
    expect(getSpot().entries().map(e => e.fn)).toEqual(['src/a.ts#triple']);
  });

  it('a limit named on the function is found in a spot defined after marking (the README\'s limit=api example)', () => {
    const f = markCompiled(undefined, (url: string) => url.length, { limit: 'api', cost: 2 }, { id: 'src/crawl.ts#crawl', codeHash: 'c0de', params: ['url'] });
    defineSpot('default', { dir: tempDir(), limits: { api: { rpm: 600, burst: 10 } } });
    expect(f('https://example.com')).toBe(19);
    expect(f('https://example.com')).toBe(19);
  });

  it('after a spot is redefined, an already-used function writes to the new one, without warnings or reruns', () => {
    const warn = silencedWarnings();
    let runs = 0;
    const f = mark(function redefined(x: number) { return (runs++, -x); }, { spot: 'api' });
    const first = tempDir();
    const second = tempDir();
    defineSpot('api', { dir: first });
    expect(f(1)).toBe(-1);
    defineSpot('api', { dir: second });
    expect(f(1)).toBe(-1); // a miss in the new spot
    expect(f(1)).toBe(-1);
    expect(runs).toBe(2);
    expect(getSpot('api').entries()).toHaveLength(1);
    expect(existsSync(join(second, 'api.sqlite'))).toBe(true);
    expect(warn).not.toHaveBeenCalled();
  });

  it('after spot.close(), the next call opens the spot again and hits', () => {
    const warn = silencedWarnings();
    const spot = defineSpot('api', { dir: tempDir() });
    let runs = 0;
    const f = spot.mark(function reopened(x: number) { return (runs++, x * x); });
    expect(f(3)).toBe(9);
    spot.close();
    expect(spot.isOpen).toBe(false);
    expect(f(3)).toBe(9);
    expect(spot.isOpen).toBe(true);
    expect(runs).toBe(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('an async function also follows a redefinition', async () => {
    let runs = 0;
    const f = mark(async function asyncRedefined(x: number) { return (runs++, x); }, { spot: 'api' });
    defineSpot('api', { dir: tempDir() });
    await expect(f(1)).resolves.toBe(1);
    defineSpot('api', { dir: tempDir() });
    await expect(f(1)).resolves.toBe(1);
    await expect(f(1)).resolves.toBe(1);
    expect(runs).toBe(2);
  });
});
