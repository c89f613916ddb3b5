// Random and mutated bytes through the decoder: only CorruptEntryError may escape, memory stays bounded and
// no prototype changes. Set BEAUTYSPOT_FUZZ_SEED to replay a run; the seed is printed either way.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptEntryError } from '../../runtime/errors.js';
import { type Rand, seeded, TYPED_ARRAYS } from '../helpers/arbitraries.js';
import { viewAt } from '../helpers/buffer-views.js';
import { Box, codecValues, codecWithTypes, Point } from '../helpers/codec-types.js';
import { hex } from '../helpers/msgpack-craft.js';

const INPUTS = 250_000;
/** Enough to mean something when a slow machine hits the time budget. */
const MIN_INPUTS_IF_SLOW = 25_000;
const TIME_BUDGET_MS = 60_000;
const HEAP_GROWTH_LIMIT = 256 * 1024 * 1024;

const BUILT_IN_PROTOTYPES: object[] = [
  Object.prototype, Array.prototype, Function.prototype, Map.prototype, Set.prototype, Date.prototype,
  RegExp.prototype, String.prototype, Number.prototype, Boolean.prototype, BigInt.prototype, Symbol.prototype,
  Promise.prototype, Error.prototype, TypeError.prototype, RangeError.prototype, SyntaxError.prototype,
  ReferenceError.prototype, EvalError.prototype, URIError.prototype, ArrayBuffer.prototype, DataView.prototype,
  Buffer.prototype, Object.getPrototypeOf(Uint8Array.prototype) as object, ...TYPED_ARRAYS.map(C => C.prototype),
];

/** Each prototype's own property names and symbols, and its own prototype. */
function snapshotPrototypes(): string[] {
  return BUILT_IN_PROTOTYPES.map((proto, i) => {
    const parent = BUILT_IN_PROTOTYPES.indexOf(Object.getPrototypeOf(proto) as object);
    const keys = [...Object.getOwnPropertyNames(proto), ...Object.getOwnPropertySymbols(proto).map(String)];
    return `${i} <${parent}> ${keys.join(',')}`;
  });
}

const DECODED_PROTOTYPES = new Set<unknown>([
  Object.prototype, Array.prototype, Map.prototype, Set.prototype, Date.prototype, RegExp.prototype,
  Error.prototype, TypeError.prototype, RangeError.prototype, SyntaxError.prototype, ReferenceError.prototype,
  EvalError.prototype, URIError.prototype, ArrayBuffer.prototype, DataView.prototype, Buffer.prototype,
  ...TYPED_ARRAYS.map(C => C.prototype), Point.prototype, Box.prototype,
]);

/** The first object inside `value` whose prototype is not one the codec makes, described; or undefined. */
function strangePrototype(value: unknown, seen = new Set<object>()): string | undefined {
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (!DECODED_PROTOTYPES.has(proto)) return `an object with prototype ${String((proto as { constructor?: { name?: string } } | null)?.constructor?.name)}`;
  const children: unknown[] = Reflect.ownKeys(value).map(k => Object.getOwnPropertyDescriptor(value, k)?.value);
  if (value instanceof Map) for (const [k, v] of value) children.push(k, v);
  if (value instanceof Set) children.push(...value);
  for (const child of children) {
    const found = strangePrototype(child, seen);
    if (found) return found;
  }
  return undefined;
}

const pick = (rand: Rand, n: number): number => Math.floor(rand() * n);
const INTERESTING = [0x00, 0x01, 0x0b, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc4, 0xc7, 0xc9, 0xd4, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xff];

/** A header claiming far more than the input holds: arrays, maps, strings, bins and extensions of up to 4G. */
function hugeHeader(rand: Rand): number[] {
  const u32 = [0xff, 0xff, 0xff, 0xff].map(b => (rand() < 0.5 ? b : pick(rand, 256)));
  const u16 = u32.slice(0, 2);
  const choices = [
    [0xdd, ...u32], [0xdc, ...u16], [0xdf, ...u32], [0xde, ...u16], [0xdb, ...u32], [0xda, ...u16],
    [0xc6, ...u32], [0xc9, ...u32, pick(rand, 12)], [0xc8, ...u16, pick(rand, 12)], [0xc7, 0xff, pick(rand, 12)],
  ];
  const header = choices[pick(rand, choices.length)]!;
  const repeats = rand() < 0.3 ? 1 + pick(rand, 40) : 1;
  return Array.from({ length: repeats }, () => header).flat();
}

/** One to three mutations of a real encoding, or (one time in twenty) random bytes. */
function mutate(corpus: Uint8Array[], rand: Rand): Uint8Array {
  if (rand() < 0.05) return Uint8Array.from({ length: pick(rand, 64) }, () => pick(rand, 256));
  let bytes = [...corpus[pick(rand, corpus.length)]!];
  for (let m = 1 + pick(rand, 3); m > 0; m--) {
    const at = pick(rand, bytes.length + 1);
    switch (pick(rand, 7)) {
      case 0: // bit flips
        for (let f = 1 + pick(rand, 4); f > 0 && bytes.length > 0; f--) bytes[pick(rand, bytes.length)]! ^= 1 << pick(rand, 8);
        break;
      case 1: // byte replacement, often with a byte msgpack or the codec gives meaning to
        if (bytes.length > 0) bytes[pick(rand, bytes.length)] = rand() < 0.5 ? INTERESTING[pick(rand, INTERESTING.length)]! : pick(rand, 256);
        break;
      case 2: // truncation
        bytes = bytes.slice(0, at);
        break;
      case 3: // insertion
        bytes.splice(at, 0, ...Array.from({ length: 1 + pick(rand, 8) }, () => pick(rand, 256)));
        break;
      case 4: // a header with a huge length, spliced in or overwriting
        bytes.splice(at, rand() < 0.5 ? 0 : 5, ...hugeHeader(rand));
        break;
      case 5: { // splicing in part of another encoding
        const other = corpus[pick(rand, corpus.length)]!;
        const from = pick(rand, other.length);
        bytes.splice(at, pick(rand, 8), ...other.subarray(from, from + 1 + pick(rand, 32)));
        break;
      }
      default: // deletion
        bytes.splice(at, 1 + pick(rand, 4));
    }
  }
  return Uint8Array.from(bytes);
}

describe('the decoder on hostile bytes', () => {
  it('throws only CorruptEntryError, with bounded memory and no prototype changed', () => {
    const seed = Number(process.env.BEAUTYSPOT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const rand = seeded(seed);
    const codec = codecWithTypes();
    const corpus = fc.sample(codecValues, { seed, numRuns: 400 }).map(v => codec.encode(v));
    const prototypesBefore = snapshotPrototypes();
    const heapBefore = process.memoryUsage().heapUsed;
    let heapPeak = heapBefore;
    const started = performance.now();
    let inputs = 0;
    let corrupt = 0;
    let decodedOk = 0;
    let outOfTime = false;

    for (; inputs < INPUTS; inputs++) {
      if (inputs % 1000 === 0) {
        heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
        if (performance.now() - started > TIME_BUDGET_MS) {
          outOfTime = true;
          break;
        }
      }
      const input = mutate(corpus, rand);
      let decoded: unknown;
      try {
        decoded = codec.decode(viewAt(input, inputs % 8));
      } catch (error) {
        if (error instanceof CorruptEntryError) {
          corrupt++;
          continue;
        }
        throw new Error(`seed ${seed}, input ${inputs}: decoding ${hex(input, 512)} threw ${String(error)}`, { cause: error });
      }
      decodedOk++;
      const strange = strangePrototype(decoded);
      if (strange) throw new Error(`seed ${seed}, input ${inputs}: decoding ${hex(input, 512)} made ${strange}`);
    }

    const seconds = (performance.now() - started) / 1000;
    if (outOfTime) console.log(`decoder fuzz: stopped at the ${TIME_BUDGET_MS / 1000} s budget after ${inputs} of ${INPUTS} inputs (slow machine?)`);
    console.log(`decoder fuzz: seed ${seed}, ${inputs} inputs, ${corrupt} corrupt, ${decodedOk} decoded ok, ` +
      `heap peak +${Math.round((heapPeak - heapBefore) / 2 ** 20)} MiB, ${seconds.toFixed(1)} s`);
    expect(inputs).toBeGreaterThanOrEqual(outOfTime ? MIN_INPUTS_IF_SLOW : INPUTS);
    expect(corrupt, 'mutations that all decode test nothing').toBeGreaterThan(inputs / 4);
    expect(decodedOk, 'mutations that never decode test only the first check').toBeGreaterThan(inputs / 100);
    expect(heapPeak - heapBefore).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(snapshotPrototypes()).toEqual(prototypesBefore);
  }, 120_000);
});
