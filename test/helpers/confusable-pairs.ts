// Seeded corpora of argument lists that are easy to confuse: the reliability suite checks that their keys are
// equal exactly when the arguments are equal under key semantics (keyEqual, trailing undefineds dropped).
import fc from 'fast-check';
import {
  keyEqual, makeBinary, reshuffle, seeded, spoil, Tagged, TYPED_ARRAYS, valueArb, type Rand,
} from './arbitraries.js';

export interface Pair {
  family: string;
  a: unknown[];
  b: unknown[];
  /** What the pair is built to be where its family decides it; the oracle must agree. */
  intent?: 'same' | 'distinct';
}

/** A pair of calls of one function of test/reliability/fixtures/typed-keys.ts (without its leading pair number). */
export interface CompiledPair extends Pair {
  fn: string;
}

const int = (rand: Rand, min: number, max: number): number => min + Math.floor(rand() * (max - min + 1));
const choice = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

function word(rand: Rand, units: readonly string[], max: number): string {
  let s = '';
  for (let n = int(rand, 0, max); n > 0; n--) s += choice(rand, units);
  return s;
}

/** Without trailing `undefined`s: the call path drops them, so `f(1)` and `f(1, undefined)` are one entry. */
export function trimmed(args: unknown[]): unknown[] {
  let n = args.length;
  while (n > 0 && args[n - 1] === undefined) n--;
  return n === args.length ? args : args.slice(0, n);
}

/** The oracle: two calls are one entry exactly when their (trimmed) arguments are equal under key semantics. */
export function sameCall(a: unknown[], b: unknown[]): boolean {
  const x = trimmed(a);
  const y = trimmed(b);
  return x.length === y.length && x.every((v, i) => keyEqual(v, y[i]));
}

/** Every pair (i <= j) of two independently built copies of a family: the diagonal pairs equal values. */
function allPairs(family: string, build: () => unknown[][], add: (family: string, a: unknown[], b: unknown[]) => void): void {
  const first = build();
  const second = build();
  for (let i = 0; i < first.length; i++) {
    for (let j = i; j < first.length; j++) add(family, first[i]!, second[j]!);
  }
}

/** A NaN with a random sign and payload (its bits differ from the canonical NaN). */
function randomNaN(rand: Rand): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, (rand() < 0.5 ? 0x7ff00000 : 0xfff00000) | int(rand, 0, 0xfffff));
  view.setUint32(4, int(rand, 1, 0xffffffff));
  return view.getFloat64(0);
}

function randomNumber(rand: Rand): number {
  return choice(rand, [
    () => int(rand, -3, 3), () => int(rand, -1e9, 1e9), () => (rand() - 0.5) * 1e6, () => -0, () => NaN,
    () => choice(rand, [Infinity, -Infinity, 2 ** 53, 5e-324, 0.1]),
  ])();
}

const ASCII = ['a', 'b'];
const UNITS = ['a', 'b', 'é', '😀', '\0', '.'];
const SCALARS: unknown[] = [0, 1, 'x', '', null, undefined, true, 1n];

/** Partitions `items` into consecutive groups, sometimes with empty groups in between. */
function partition(rand: Rand, items: number[]): number[][] {
  const groups: number[][] = [[]];
  for (const item of items) {
    if (rand() < 0.4) groups.push([]);
    groups[groups.length - 1]!.push(item);
  }
  if (rand() < 0.2) groups.splice(int(rand, 0, groups.length), 0, []);
  return groups;
}

function randomObject(rand: Rand, values: () => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['a', 'b', 'c', '0', '1', 'a.b', '']) if (rand() < 0.45) out[k] = values();
  return out;
}

/** `object` (string keys, number | undefined values) with one value moved, one key removed or one added. */
function changed(rand: Rand, object: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(object);
  const copy = { ...object };
  const r = keys.length === 0 ? 2 : int(rand, 0, 2);
  const key = choice(rand, keys);
  if (r === 0) copy[key] = typeof object[key] === 'number' ? spoil(object[key], rand) : 0;
  else if (r === 1) delete copy[key];
  else copy[`~${keys.length}`] = 1;
  return copy;
}

const MIDDLES = ['\uD800', '\uDC00', '\uFFFD', '\uD800\uDC00', '\uDBFF', '\uDFFF', '\uD83D', '\uDE00', '😀', '\uDC00\uD800', '', '?'];
const COMPOSED = ['é', 'ñ', 'Å', 'ö', 'ﬁ', 'Ǆ', '한', 'ệ', 'a', '²'];

/** Binary values of every kind over `bytes` (a multiple of 8 long), plus Uint8Array views that cover the same bytes. */
function binaries(bytes: Uint8Array): unknown[] {
  const padded = new Uint8Array(bytes.length + 16);
  padded.set(bytes, 8);
  return [
    ...TYPED_ARRAYS.map(kind => makeBinary(kind, bytes)),
    makeBinary('ArrayBuffer', bytes), makeBinary('DataView', bytes), makeBinary('Buffer', bytes),
    new Uint8Array(padded.buffer, 8, bytes.length), Buffer.from(bytes),
  ];
}

/** About 113,000 confusable pairs of argument lists for the dynamic encoder (the runtime `mark` path). */
export function confusablePairs(seed: number): Pair[] {
  const rand = seeded(seed);
  const pairs: Pair[] = [];
  const add = (family: string, a: unknown[], b: unknown[], intent?: Pair['intent']): void => {
    pairs.push({ family, a, b, intent });
  };

  // Concatenations: one string split at two places, in every container ('ab' + '' vs 'a' + 'b').
  for (let k = 0; k < 4000; k++) {
    const s = word(rand, k % 2 ? ASCII : UNITS, 6);
    const p = int(rand, 0, s.length);
    const q = int(rand, 0, s.length);
    const [x1, y1, x2, y2] = [s.slice(0, p), s.slice(p), s.slice(0, q), s.slice(q)];
    add('concatenated arguments', [x1, y1], [x2, y2]);
    add('concatenated array elements', [[x1, y1]], [[x2, y2]]);
    add('concatenated object key and value', [{ [x1]: y1 }], [{ [x2]: y2 }]);
    add('concatenated Map key and value', [new Map([[x1, y1]])], [new Map([[x2, y2]])]);
    add('concatenated nested arrays', [[[x1], [y1]]], [[[x2], [y2]]]);
  }

  // One number in many guises: 1 / '1' / 1n / true / [1] / {0: 1} / Date(1) / Set {1} / …
  for (let k = 0; k < 90; k++) {
    const n = k < 10 ? [0, -0, 1, -1, 1.5, NaN, Infinity, 2 ** 53, 255, 256][k]! : randomNumber(rand);
    allPairs('one number in many guises', () => [
      [n], [String(n)], ...(Number.isInteger(n) ? [[BigInt(n)]] : []), [n !== 0], [[n]], [{ 0: n }], [{ [String(n)]: n }],
      [new Date(n)], [new Set([n])], [new Map([[0, n]])], [[String(n)]], [Uint8Array.of(n & 255)], [[[n]]],
      [null], [undefined], [''], [[]], [{}], [new Tagged(n)],
    ], add);
  }

  // Nested arrays: one sequence grouped two ways ([[1], [2]] vs [[1, 2]]), as one argument and as several.
  for (let k = 0; k < 2500; k++) {
    const items = Array.from({ length: int(rand, 0, 5) }, () => int(rand, 0, 3));
    const [g1, g2] = [partition(rand, items), partition(rand, items)];
    add('nested arrays', [g1], [g2]);
    add('nested arrays as arguments', g1, g2);
    add('nested arrays in an object', [{ v: g1 }], [{ v: g2 }]);
    add('flat vs nested', [items], [g2]);
  }

  // Object key order (same key), a key holding undefined vs a missing key (different keys).
  for (let k = 0; k < 2000; k++) {
    const object = randomObject(rand, () => choice(rand, [...SCALARS, [1], { a: 1 }]));
    const missing = ['a', 'b', 'c', '0', '1', 'a.b', ''].find(key => !Object.hasOwn(object, key)) ?? 'z';
    add('object key order', [object], [reshuffle(object, rand)], 'same');
    add('object key order, nested', [{ o: object, p: [object] }], [{ p: [reshuffle(object, rand)], o: reshuffle(object, rand) }], 'same');
    add('extra key holding undefined vs missing', [object], [{ ...object, [missing]: undefined }], 'distinct');
    add('object changed inside', [object], [spoil(object, rand)], 'distinct');
    add('object vs its entries', [object], [Object.entries(object)], 'distinct');
  }

  // Map and Set insertion order (same key) vs different content.
  for (let k = 0; k < 2000; k++) {
    const entries = Array.from({ length: int(rand, 0, 4) }, () => [choice(rand, [...SCALARS, [1], { a: 1 }, -0, NaN, 'k']), choice(rand, SCALARS)] as const);
    const map = new Map<unknown, unknown>(entries);
    const set = new Set<unknown>(entries.map(([key]) => key));
    add('Map insertion order', [map], [reshuffle(map, rand)], 'same');
    add('Set insertion order', [set], [reshuffle(set, rand)], 'same');
    add('Map content', [map], [spoil(map, rand)], 'distinct');
    add('Set content', [set], [spoil(set, rand)], 'distinct');
    add('Map vs Set vs entries', [map], [choice(rand, [set, [...map], Object.fromEntries([...map].map(([key, v]) => [String(key), v]))])]);
  }

  // -0 vs 0 and NaN variants, wherever a number can be.
  for (let k = 0; k < 500; k++) {
    const [nan1, nan2] = [randomNaN(rand), randomNaN(rand)];
    add('NaN variants', [nan1], [nan2], 'same');
    add('NaN variants in an array', [[nan1, 1]], [[NaN, 1]], 'same');
    add('NaN variants in an object', [{ x: nan1 }], [{ x: nan2 }], 'same');
    add('NaN variants as a Map value', [new Map([[1, nan1]])], [new Map([[1, NaN]])], 'same');
    add('NaN variants in a Set', [new Set([nan1, 2])], [new Set([2, nan2])], 'same');
    add('NaN variants in a Date', [new Date(nan1)], [new Date(nan2)], 'same');
    add('NaN vs 0', [nan1], [0], 'distinct');
    add('Float64Array holding NaN variants', [Float64Array.of(nan1)], [Float64Array.of(nan2)]);
    add('-0 vs 0', [-0], [0], 'distinct');
    add('-0 vs 0 in an array', [[1, -0]], [[1, 0]], 'distinct');
    add('-0 vs 0 in an object', [{ x: -0 }], [{ x: 0 }], 'distinct');
    add('-0 vs 0 as a Map value', [new Map([['k', -0]])], [new Map([['k', 0]])], 'distinct');
    // Map keys, Set members and Dates store -0 as 0, so nothing can tell these apart.
    add('-0 vs 0 as a Map key', [new Map([[-0, 'v']])], [new Map([[0, 'v']])], 'same');
    add('-0 vs 0 in a Set', [new Set([-0])], [new Set([0])], 'same');
    add('-0 vs 0 in a Date', [new Date(-0)], [new Date(0)], 'same');
    add('-0 vs 0 in a Float64Array', [Float64Array.of(-0)], [Float64Array.of(0)], 'distinct');
  }

  // undefined vs null vs a missing trailing argument.
  for (let k = 0; k < 700; k++) {
    const x = choice(rand, [randomNumber(rand), word(rand, UNITS, 3), null, [1], { a: undefined }]);
    add('trailing undefined vs missing', [x, undefined], [x], 'same');
    add('two trailing undefineds vs missing', [x, undefined, undefined], [x], 'same');
    add('no arguments vs undefined', [], [undefined], 'same');
    add('trailing null vs missing', [x, null], [x], 'distinct');
    add('trailing null vs undefined', [x, null], [x, undefined], 'distinct');
    add('leading undefined vs missing', [undefined, x], [x], 'distinct');
    add('undefined in the middle vs missing', [x, undefined, 1], [x, 1], 'distinct');
    add('[undefined] vs []', [x, [undefined]], [x, []], 'distinct');
    add('{ a: undefined } vs {}', [x, { a: undefined }], [x, {}], 'distinct');
  }

  // A Date vs its number.
  for (let k = 0; k < 1000; k++) {
    const t = choice(rand, [int(rand, -1e6, 1e6), int(rand, -8.64e15, 8.64e15), 0]);
    add('Date vs its number', [new Date(t)], [t], 'distinct');
    add('Date vs an equal Date', [new Date(t)], [new Date(t)], 'same');
    add('Date vs the next millisecond', [new Date(t)], [new Date(t === 8.64e15 ? t - 1 : t + 1)], 'distinct');
    add('Date vs its number in an array', [[new Date(t)]], [[t]], 'distinct');
    add('Date vs its ISO string', [{ d: new Date(t) }], [{ d: new Date(t).toISOString() }], 'distinct');
  }

  // Every binary kind over equal bytes: kinds differ, Buffer = Uint8Array, views compare by the bytes they cover.
  for (let k = 0; k < 75; k++) {
    const bytes = Uint8Array.from({ length: 8 * (k % 4) }, () => int(rand, 0, 255));
    allPairs('binary kinds over equal bytes', () => binaries(bytes).map(v => [v]), add);
  }

  // Lone surrogates ('\uD800' vs '\uDC00' vs '\uFFFD' must differ), inside short and long strings.
  for (let k = 0; k < 100; k++) {
    const prefix = word(rand, ASCII, 3) + (k % 3 === 0 ? 'x'.repeat(70) : '');
    const suffix = word(rand, ASCII, 2);
    const strings = MIDDLES.map(m => prefix + m + suffix);
    for (let i = 0; i < strings.length; i++) {
      for (let j = i; j < strings.length; j++) {
        add('lone surrogates', [k % 2 ? strings[i] : { [strings[i]!]: 1 }], [k % 2 ? strings[j] : { [strings[j]!]: 1 }], i === j ? 'same' : 'distinct');
      }
    }
  }

  // Strings that differ only in Unicode normalization must differ: a function can tell them apart.
  for (let k = 0; k < 500; k++) {
    const s = word(rand, COMPOSED, 4) || 'é';
    const forms = (['NFC', 'NFD', 'NFKC', 'NFKD'] as const).map(form => s.normalize(form));
    for (let i = 0; i < forms.length; i++) {
      for (let j = i; j < forms.length; j++) add('normalization forms', [forms[i]], [forms[j]], forms[i] === forms[j] ? 'same' : 'distinct');
    }
  }

  // Random trees of everything keyable: rebuilt in another insertion order, or changed in one place.
  const trees = fc.sample(valueArb({ nullPrototype: true, leaves: [fc.integer().map(id => new Tagged(id))] }), { seed, numRuns: 2500 });
  for (const tree of trees) {
    add('random tree, reshuffled', [tree], [reshuffle(tree, rand)], 'same');
    add('random tree, changed', [tree], [spoil(tree, rand)], 'distinct');
  }
  return pairs;
}

/** About 24,000 confusable pairs for the typed functions of test/reliability/fixtures/typed-keys.ts. */
export function compiledPairs(seed: number): CompiledPair[] {
  const rand = seeded(seed);
  const pairs: CompiledPair[] = [];
  const add = (fn: string, a: unknown[], b: unknown[], intent?: Pair['intent']): void => {
    pairs.push({ fn, family: fn, a, b, intent });
  };
  const pairsOf = (fn: string, values: unknown[]): void => {
    for (let i = 0; i < values.length; i++) for (let j = i; j < values.length; j++) add(fn, [values[i]], [values[j]]);
  };
  for (let k = 0; k < 1500; k++) {
    const s = word(rand, k % 2 ? ASCII : UNITS, 6);
    const [p, q] = [int(rand, 0, s.length), int(rand, 0, s.length)];
    add('concat', [s.slice(0, p), s.slice(p)], [s.slice(0, q), s.slice(q)]);
    add('tuple', [[s.slice(0, p), p]], [[s.slice(0, q), q]]);
    add('options', [{ name: s.slice(0, p), tags: [s.slice(p)] }], [{ tags: [s.slice(0, q), s.slice(q)], name: '' }]);
    const items = Array.from({ length: int(rand, 0, 5) }, () => int(rand, 0, 3));
    add('nested', [partition(rand, items)], [partition(rand, items)]);
  }
  for (let k = 0; k < 60; k++) {
    const n = k < 6 ? [0, -0, 1, NaN, 1.5, 2 ** 53][k]! : randomNumber(rand);
    pairsOf('scalar', [n, String(n), ...(Number.isInteger(n) ? [BigInt(n)] : []), n !== 0, null, undefined, '', 0, -0, NaN, n]);
    pairsOf('when', [new Date(n), n, new Date(n), -0, 0]);
    add('tuple', [['a', n]], [['a', -n]]);
  }
  for (let k = 0; k < 1200; k++) {
    const object = randomObject(rand, () => choice(rand, [0, 1, -0, NaN, undefined, 2]));
    const missing = ['a', 'b', 'c', '0', '1', 'a.b', ''].find(key => !Object.hasOwn(object, key)) ?? 'z';
    add('record', [object], [reshuffle(object, rand)], 'same');
    add('record', [object], [{ ...object, [missing]: undefined }], 'distinct');
    add('record', [object], [changed(rand, object)]);
    const size = choice(rand, [undefined, 0, -0, 1]);
    const tags = Array.from({ length: int(rand, 0, 3) }, () => word(rand, ASCII, 2));
    const options = size === undefined && rand() < 0.5 ? { name: 'n', tags } : { name: 'n', tags, size };
    add('options', [options], [reshuffle(options, rand)], 'same');
    add('options', [{ name: 'n', tags }], [{ name: 'n', tags, size: undefined }], 'distinct');
    const entries = Array.from({ length: int(rand, 0, 4) }, () => [word(rand, ASCII, 2), int(rand, -1, 1)] as const);
    const map = new Map<string, number>(entries);
    add('map', [map], [reshuffle(map, rand)], 'same');
    add('map', [map], [new Map(Object.entries(changed(rand, Object.fromEntries(map)))) as Map<string, number>]);
    const set = new Set<string | number>(entries.map(([key, v]) => (rand() < 0.5 ? key : v)));
    add('set', [set], [reshuffle(set, rand)], 'same');
    add('set', [set], [new Set([...set].map(m => (typeof m === 'number' ? String(m) : m)))]);
    add('shape', [{ kind: 'a', x: k }], [choice(rand, [{ x: k, kind: 'a' }, { kind: 'b', x: k }, { kind: 'a', x: -k }])]);
    const x = randomNumber(rand);
    add('trailing', [x], [x, undefined], 'same');
    add('trailing', [x, null], [x]);
    add('trailing', [x, null], [x, undefined]);
    add('trailing', [x, 0], [x, -0]);
  }
  for (let k = 0; k < 100; k++) {
    const [x, y] = [int(rand, -2, 2), int(rand, -2, 2)];
    pairsOf('iterable', [[x, y], [y, x], new Set([x, y]), [x], new Set([y]), [x, y]]);
    pairsOf('nonNullish', [x, String(x), { x }, [x], {}, new Set([x]), { x: y }, x]);
  }
  for (let k = 0; k < 40; k++) {
    const bytes = Uint8Array.from({ length: 8 * (k % 3) }, () => int(rand, 0, 255));
    const views = binaries(bytes).filter(v => ArrayBuffer.isView(v));
    pairsOf('view', views);
    pairsOf('bytes', views.filter(v => v instanceof Uint8Array));
  }
  for (let k = 0; k < 30; k++) {
    const prefix = word(rand, ASCII, 3) + (k % 3 === 0 ? 'x'.repeat(70) : '');
    pairsOf('text', MIDDLES.map(m => prefix + m));
    const s = word(rand, COMPOSED, 4) || 'é';
    pairsOf('text', (['NFC', 'NFD', 'NFKC', 'NFKD'] as const).map(form => s.normalize(form)));
  }
  return pairs;
}
