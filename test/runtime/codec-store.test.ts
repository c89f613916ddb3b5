import { describe, expect, it, onTestFinished } from 'vitest';
import { Spot } from '../../runtime/index.js';
import { type Binary, binaryKindName, binaryKinds, makeBinary, strictDiff } from '../helpers/arbitraries.js';
import { memoryProblem } from '../helpers/buffer-views.js';
import { tempSpot } from '../helpers/temp-spot.js';

/** Bytes that are not all alike, so a shifted or padded copy cannot pass for the value. */
const pattern = (length: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 41 + 3) & 0xff);

/** Each binary kind of 24 bytes (a whole number of elements for every kind), alone and nested. */
function binaryResults(): [string, () => unknown, (value: unknown) => Binary][] {
  return binaryKinds.flatMap(kind => {
    const make = (): Binary => makeBinary(kind, pattern(24));
    const name = binaryKindName(kind);
    return [
      [name, make, v => v as Binary],
      [`${name} nested`, () => ({ list: [1, make()], byKey: new Map([['k', make()]]) }),
        v => (v as { byKey: Map<string, Binary> }).byKey.get('k')!],
    ] as [string, () => unknown, (value: unknown) => Binary][];
  });
}

describe('binary results read back from a real store', () => {
  it.each([['inline', false], ['in a blob', true]] as const)(
    'every binary kind comes back %s exactly as returned, in the next session',
    (_, blob) => {
      let runs = 0;
      const results = binaryResults().map(([name, make, pick]) => ({ name, make, pick, body: () => (runs++, make()) }));
      const first = tempSpot();
      for (const { name, body } of results) first.cachedRun(body, { name, blob })();
      first.close();
      expect(runs).toBe(results.length);

      const second = new Spot(first.name, { dir: first.dir });
      onTestFinished(() => second.close());
      for (const { name, make, pick, body } of results) {
        const value = second.cachedRun(body, { name, blob })();
        expect(strictDiff(value, make()), name).toBeUndefined();
        expect(memoryProblem(pick(value)), name).toBeUndefined();
      }
      expect(runs, 'values were recomputed instead of read').toBe(results.length);
      expect(second.stats()).toMatchObject({ hits: results.length, misses: 0, errors: 0 });
    },
  );
});
