// The key property corpus: over 100,000 pairs of easily confused arguments, each checked against the oracle
// (keyEqual, trailing undefineds dropped). A wrong hit is a pair the function can tell apart that shares a key;
// a false miss is a pair of equal arguments with two keys. Bulk pairs compare digests of key bytes; a share of
// them goes through real `mark` calls on SQLite, and typed pairs through compiled key code and its module.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyWriter, writeDynamic } from '../../runtime/index.js';
import { defineTempSpot, loadCompiled, type CompiledFixture } from '../helpers/compile-fixture.js';
import { compiledPairs, confusablePairs, sameCall, trimmed, type Pair } from '../helpers/confusable-pairs.js';
import { tempSpot } from '../helpers/temp-spot.js';

const SEED = 0x5eed;
/** Every SHARE-th pair also goes through real cached calls. */
const SHARE = 8;

const figures = { pairs: 0, same: 0, distinct: 0, wrongHits: 0, falseMisses: 0, viaMark: 0, compiled: 0, viaModule: 0 };
const started = performance.now();

afterAll(() => {
  const f = figures;
  console.log(`keys corpus: ${f.pairs} pairs (${f.distinct} distinct-expected, ${f.same} same-expected), ${f.viaMark} via mark on SQLite, ` +
    `${f.compiled} compiled (${f.viaModule} via the compiled module); wrong hits ${f.wrongHits}, false misses ${f.falseMisses}, ` +
    `${((performance.now() - started) / 1000).toFixed(1)} s`);
});

const show = (pair: Pair): string => `${pair.family}: ${inspect(pair.a, { depth: 4, breakLength: Infinity })} vs ${inspect(pair.b, { depth: 4, breakLength: Infinity })}`;

/** Wrong hits, false misses and intents the oracle contradicts, each with a few examples. */
class Tally {
  readonly wrongHits: string[] = [];
  readonly falseMisses: string[] = [];
  readonly badIntents: string[] = [];
  same = 0;
  distinct = 0;

  /** Records one pair; `shared` says whether the two calls got one key (or one entry). */
  check(pair: Pair, shared: boolean): void {
    const same = sameCall(pair.a, pair.b);
    if (same) this.same++;
    else this.distinct++;
    if (pair.intent !== undefined && (pair.intent === 'same') !== same) this.badIntents.push(show(pair));
    if (shared && !same) this.wrongHits.push(show(pair));
    if (!shared && same) this.falseMisses.push(show(pair));
  }

  expectClean(): void {
    figures.wrongHits += this.wrongHits.length;
    figures.falseMisses += this.falseMisses.length;
    const sample = (list: string[]): { count: number; first: string[] } => ({ count: list.length, first: list.slice(0, 5) });
    expect({ wrongHits: sample(this.wrongHits), falseMisses: sample(this.falseMisses), badIntents: sample(this.badIntents) })
      .toEqual({ wrongHits: sample([]), falseMisses: sample([]), badIntents: sample([]) });
  }
}

/** The key bytes' digest of a call, as the runtime call path writes the arguments (after its constant prefix). */
function callDigest(w: KeyWriter, args: unknown[]): string {
  w.reset();
  const keyed = trimmed(args);
  w.args(keyed.length);
  for (const value of keyed) {
    w.mark();
    writeDynamic(w, value);
  }
  return w.digest();
}

const pairs = confusablePairs(SEED);

describe('the dynamic encoder (runtime mark)', () => {
  it('keys over 100,000 confusable pairs exactly as the oracle says', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(100_000);
    const tally = new Tally();
    const w = new KeyWriter();
    for (const pair of pairs) tally.check(pair, callDigest(w, pair.a) === callDigest(w, pair.b));
    figures.pairs = pairs.length;
    figures.same = tally.same;
    figures.distinct = tally.distinct;
    // Both kinds are common, so neither check is vacuous.
    expect(tally.same).toBeGreaterThan(20_000);
    expect(tally.distinct).toBeGreaterThan(50_000);
    tally.expectClean();
  });

  it(`every ${SHARE}th pair through real mark calls on SQLite: equal arguments hit, others run the body`, () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark((...args: unknown[]) => ++runs, { name: 'corpus' });
    const tally = new Tally();
    let firstHits = 0;
    for (let i = 0; i < pairs.length; i += SHARE) {
      const pair = pairs[i]!;
      // The pair's number goes first, so no two pairs share an entry.
      const first = f(i, ...pair.a);
      if (first !== runs) firstHits++;
      const second = f(i, ...pair.b);
      tally.check(pair, second === first);
      figures.viaMark++;
    }
    expect(firstHits).toBe(0);
    expect(figures.viaMark).toBeGreaterThanOrEqual(10_000);
    expect(spot.entries({ limit: 1_000_000 })).toHaveLength(runs);
    tally.expectClean();
  });
});

describe('compiled key code (test/reliability/fixtures/typed-keys.ts)', () => {
  const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
  const typed = compiledPairs(SEED);
  const spot = defineTempSpot('corpus');
  let compiled: CompiledFixture;

  beforeAll(async () => {
    compiled = await loadCompiled(join(fixtures, 'typed-keys.ts'), fixtures);
  });

  afterAll(() => spot.remove());

  it('keys typed confusable pairs as the oracle says, with the dynamic encoder\'s bytes', () => {
    expect(typed.length).toBeGreaterThanOrEqual(20_000);
    const w = new KeyWriter();
    const bytes = (fn: string, args: unknown[]): string => {
      w.reset();
      compiled.writer(`typed-keys.ts#${fn}`)(w, [0, ...args], undefined);
      return w.view().toString('hex');
    };
    const dynamicBytes = (fn: string, args: unknown[]): string => {
      const count = compiled.keys.get(`typed-keys.ts#${fn}`)!.params.length;
      w.reset();
      w.args(count);
      for (let i = 0; i < count; i++) {
        w.mark();
        writeDynamic(w, [0, ...args][i]);
      }
      return w.view().toString('hex');
    };
    const tally = new Tally();
    const disagreements: string[] = [];
    for (const pair of typed) {
      const [a, b] = [bytes(pair.fn, pair.a), bytes(pair.fn, pair.b)];
      tally.check(pair, a === b);
      if (a !== dynamicBytes(pair.fn, pair.a)) disagreements.push(`${pair.fn}${inspect(pair.a, { breakLength: Infinity })}`);
      figures.compiled++;
    }
    expect(new Set(typed.map(p => p.fn)).size).toBe(compiled.keys.size);
    expect({ count: disagreements.length, first: disagreements.slice(0, 5) }).toEqual({ count: 0, first: [] });
    tally.expectClean();
  });

  it(`every ${SHARE}th typed pair through the compiled module on SQLite`, () => {
    const m = compiled.module as Record<string, (...args: unknown[]) => number> & { bodies: { runs: number } };
    const tally = new Tally();
    let firstHits = 0;
    for (let i = 0; i < typed.length; i += SHARE) {
      const pair = typed[i]!;
      const first = m[pair.fn]!(i, ...pair.a);
      if (first !== m.bodies.runs) firstHits++;
      tally.check(pair, m[pair.fn]!(i, ...pair.b) === first);
      figures.viaModule++;
    }
    expect(firstHits).toBe(0);
    expect(figures.viaModule).toBeGreaterThan(2_500);
    tally.expectClean();
  });
});
