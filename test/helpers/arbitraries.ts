// fast-check arbitraries and comparers shared by the codec and key tests.
import { inspect } from 'node:util';
import fc from 'fast-check';
import { keyHook } from '../../runtime/keys/key-hook.js';

export const TYPED_ARRAYS = [
  Uint8Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array,
  Float32Array, Float64Array, BigInt64Array, BigUint64Array,
] as const;

export type TypedArrayClass = (typeof TYPED_ARRAYS)[number];
export type Binary = ArrayBufferView | ArrayBuffer;

// ---------------------------------------------------------------------------------------------------------
// Leaves

/** A single UTF-16 code unit from the surrogate range (lone unless a neighbour happens to pair with it). */
export const loneSurrogate: fc.Arbitrary<string> = fc.integer({ min: 0xd800, max: 0xdfff }).map(c => String.fromCharCode(c));

const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const anyUnit = fc.oneof({ weight: 6, arbitrary: anyCodePoint }, { weight: 1, arbitrary: loneSurrogate });

/**
 * Strings of any code points, emoji and lone surrogates, including strings longer than 50 code units
 * (msgpack switches from its own UTF-8 encoder to TextEncoder above that length).
 */
export const anyString: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: anyUnit }),
  fc.string({ unit: anyUnit, minLength: 45, maxLength: 300 }),
  fc.constantFrom('', '😀', '\uD83D', '\uDE00', '\uFFFD', 'e\u0301', '\u0000', 'a'.repeat(70) + '\uD800'),
);

/** Doubles (with -0, NaN, ±Infinity), integers of every msgpack width and a few awkward constants. */
export const anyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 63), 2 ** 64, 1e300, 5e-324, -5e-324, 0.1),
);

export const anyBigInt: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt(),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.constantFrom(0n, -1n, 2n ** 64n, -(2n ** 63n) - 1n),
);

export const primitive: fc.Arbitrary<unknown> = fc.oneof(
  anyNumber, anyString, fc.boolean(), fc.constant(null), fc.constant(undefined), anyBigInt,
);

/** Valid dates over the whole range and Invalid Date. */
export const anyDate: fc.Arbitrary<Date> = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.constant(null).map(() => new Date(NaN)),
);

const BINARY_KINDS = [...TYPED_ARRAYS, 'Buffer', 'ArrayBuffer', 'DataView'] as const;

/** Builds a binary value of `kind` over a copy of `bytes`, as a view starting `offset` elements in. */
export function makeBinary(kind: TypedArrayClass | 'Buffer' | 'ArrayBuffer' | 'DataView', bytes: Uint8Array, offset = 0): Binary {
  const buffer = new Uint8Array(bytes).buffer;
  if (kind === 'ArrayBuffer') return buffer;
  if (kind === 'Buffer') return Buffer.from(buffer, Math.min(offset, buffer.byteLength));
  if (kind === 'DataView') return new DataView(buffer, Math.min(offset, buffer.byteLength));
  const units = Math.floor(buffer.byteLength / kind.BYTES_PER_ELEMENT);
  const start = Math.min(offset, units);
  return new kind(buffer, start * kind.BYTES_PER_ELEMENT, units - start);
}

/** Every typed array kind, Buffer (optionally), ArrayBuffer and DataView, some as views at an offset. */
export function binaryArb(options: { buffers?: boolean } = {}): fc.Arbitrary<Binary> {
  const kinds = BINARY_KINDS.filter(k => options.buffers !== false || k !== 'Buffer');
  return fc.record({
    kind: fc.constantFrom(...kinds),
    bytes: fc.uint8Array({ maxLength: 48 }),
    offset: fc.nat({ max: 3 }),
  }).map(({ kind, bytes, offset }) => makeBinary(kind, bytes, offset));
}

export const anyRegExp: fc.Arbitrary<RegExp> = fc.record({
  source: fc.constantFrom('a', 'a\\/b', '^x+$', '\\d{2,}', '(?<n>\\d+)\\k<n>', '', '\\s*😀'),
  flags: fc.subarray(['d', 'g', 'i', 'm', 's', 'u', 'y']),
}).map(({ source, flags }) => new RegExp(source, flags.join('')));

/** An error subclass that names itself in its constructor, the usual way. */
export class QuotaError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QuotaError';
  }
}

/** A class instance keyed through its `[keyHook]()` method. */
export class Tagged {
  constructor(readonly id: unknown) {}
  [keyHook](): unknown {
    return { id: this.id };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Trees

/** Object keys, with the awkward ones (`__proto__`, numeric-looking, dotted, empty, lone surrogates) common. */
export const objectKey: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', '0', '1', '-0', '01', 'a.b', '', 'x'.repeat(60) + '\uDC00'),
  anyString,
);

export interface ValueOptions {
  /** Include Error values (codec only: errors are not keyable). */
  errors?: boolean;
  /** Include Buffer among the binary kinds (default true). */
  buffers?: boolean;
  /** Also generate plain objects with a null prototype (keys only: the codec decodes them as `{}` objects). */
  nullPrototype?: boolean;
  /** Extra leaf arbitraries (registered class instances, key-hook instances). */
  leaves?: fc.Arbitrary<unknown>[];
  /** Extra arbitraries built from a subtree (e.g. a registered container class). */
  wrappers?: ((tree: fc.Arbitrary<unknown>) => fc.Arbitrary<unknown>)[];
  maxDepth?: number;
}

/**
 * Nested values of everything the codec and the key encoder support: primitives, arrays, plain objects,
 * Map (any key types), Set, Date, binary values, RegExp and optionally errors and extra leaves.
 */
export function valueArb(options: ValueOptions = {}): fc.Arbitrary<unknown> {
  const depth = fc.createDepthIdentifier();
  const leaf = fc.oneof(
    { weight: 6, arbitrary: primitive },
    { weight: 1, arbitrary: anyDate },
    { weight: 1, arbitrary: binaryArb({ buffers: options.buffers }) },
    { weight: 1, arbitrary: anyRegExp },
    ...(options.leaves ?? []).map(arbitrary => ({ weight: 1, arbitrary })),
  );
  const { tree } = fc.letrec<{ tree: unknown }>(tie => {
    const sub = tie('tree');
    const containers: fc.Arbitrary<unknown>[] = [
      fc.array(sub, { maxLength: 4, depthIdentifier: depth }),
      fc.dictionary(objectKey, sub, { maxKeys: 4, noNullPrototype: !options.nullPrototype, depthIdentifier: depth }),
      fc.array(fc.tuple(sub, sub), { maxLength: 3, depthIdentifier: depth }).map(entries => new Map(entries)),
      fc.array(sub, { maxLength: 3, depthIdentifier: depth }).map(members => new Set(members)),
    ];
    if (options.errors) containers.push(errorArb(sub));
    for (const wrap of options.wrappers ?? []) containers.push(wrap(sub));
    return {
      tree: fc.oneof({ maxDepth: options.maxDepth ?? 3, depthIdentifier: depth }, leaf, ...containers),
    };
  });
  return tree;
}

const ERROR_KINDS = {
  Error: (m: string, o?: ErrorOptions) => new Error(m, o),
  TypeError: (m: string, o?: ErrorOptions) => new TypeError(m, o),
  RangeError: (m: string, o?: ErrorOptions) => new RangeError(m, o),
  // A custom-named error: subclass identity cannot survive storage, the name can.
  QuotaError: (m: string, o?: ErrorOptions) => Object.assign(new Error(m, o), { name: 'QuotaError' }),
};

/** Errors of the built-in kinds and a custom-named Error, with a message, maybe a `code` and maybe a cause. */
export function errorArb(cause: fc.Arbitrary<unknown>): fc.Arbitrary<Error> {
  return fc.record({
    kind: fc.constantFrom(...(Object.keys(ERROR_KINDS) as (keyof typeof ERROR_KINDS)[])),
    message: anyString,
    code: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
    cause: fc.oneof(fc.constant(undefined).map(() => ({})), cause.map(c => ({ cause: c }))),
  }).map(({ kind, message, code, cause: options }) => {
    const error = ERROR_KINDS[kind](message, options) as Error & { code?: string };
    if (code !== undefined) error.code = code;
    return error;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Strict comparison (codec round trips)

const show = (v: unknown): string => inspect(v, { depth: 2, breakLength: Infinity });

function isBinary(v: object): v is Binary {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

function bytesOf(v: Binary): Uint8Array {
  return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sameBytes(a: Binary, b: Binary): boolean {
  return Buffer.from(bytesOf(a)).equals(bytesOf(b));
}

/**
 * The first difference between `actual` and `expected`, or `undefined` if they are the same value:
 * `Object.is` for primitives (-0 vs 0, NaN), the same prototype for every object (class identity, Buffer
 * stays Buffer), own keys in the same order (a key holding `undefined` must be present in both), array holes,
 * Map/Set entries in insertion order, binary contents byte for byte, RegExp source + flags, Error name,
 * message, stack, cause and own props.
 */
export function strictDiff(actual: unknown, expected: unknown, path = 'value'): string | undefined {
  if (typeof actual !== typeof expected) return `${path}: ${show(actual)} (${typeof actual}) vs ${show(expected)} (${typeof expected})`;
  if (typeof expected !== 'object' || expected === null || actual === null) {
    return Object.is(actual, expected) ? undefined : `${path}: ${show(actual)} vs ${show(expected)}`;
  }
  const a = actual as object;
  const e = expected as object;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(e)) {
    return `${path}: prototype of ${show(a)} is ${protoName(a)}, expected ${protoName(e)}`;
  }
  if (Array.isArray(e)) {
    const arr = a as unknown[];
    if (arr.length !== e.length) return `${path}: length ${arr.length} vs ${e.length}`;
    for (let i = 0; i < e.length; i++) {
      if (Object.hasOwn(arr, i) !== Object.hasOwn(e, i)) return `${path}[${i}]: hole in only one array`;
      const d = strictDiff(arr[i], e[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (e instanceof Date) return Object.is((a as Date).getTime(), e.getTime()) ? undefined : `${path}: ${show(a)} vs ${show(e)}`;
  if (e instanceof Map) {
    const m = a as Map<unknown, unknown>;
    if (m.size !== e.size) return `${path}: Map size ${m.size} vs ${e.size}`;
    const ae = [...m];
    const ee = [...e];
    for (let i = 0; i < ee.length; i++) {
      const d = strictDiff(ae[i]![0], ee[i]![0], `${path}.<key ${i}>`) ?? strictDiff(ae[i]![1], ee[i]![1], `${path}.<value ${i}>`);
      if (d) return d;
    }
    return undefined;
  }
  if (e instanceof Set) {
    const s = a as Set<unknown>;
    if (s.size !== e.size) return `${path}: Set size ${s.size} vs ${e.size}`;
    const am = [...s];
    const em = [...e];
    for (let i = 0; i < em.length; i++) {
      const d = strictDiff(am[i], em[i], `${path}.<member ${i}>`);
      if (d) return d;
    }
    return undefined;
  }
  if (isBinary(e)) return sameBytes(a as Binary, e) ? undefined : `${path}: bytes ${show(a)} vs ${show(e)}`;
  if (e instanceof RegExp) {
    const r = a as RegExp;
    return r.source === e.source && r.flags === e.flags ? undefined : `${path}: ${String(r)} vs ${String(e)}`;
  }
  if (e instanceof Error) {
    const err = a as Error;
    for (const field of ['name', 'message', 'stack'] as const) {
      if (!Object.is(err[field], e[field])) return `${path}.${field}: ${show(err[field])} vs ${show(e[field])}`;
    }
    if (('cause' in err) !== ('cause' in e)) return `${path}.cause: present in only one error`;
    const d = strictDiff(err.cause, e.cause, `${path}.cause`);
    if (d) return d;
    const skip = new Set(['name', 'message', 'stack', 'cause']);
    return diffOwn(err, e, path, k => !skip.has(k));
  }
  return diffOwn(a, e, path, () => true);
}

function diffOwn(a: object, e: object, path: string, include: (key: string) => boolean): string | undefined {
  const ak = Object.keys(a).filter(include);
  const ek = Object.keys(e).filter(include);
  if (ak.length !== ek.length || ak.some((k, i) => k !== ek[i])) return `${path}: keys ${show(ak)} vs ${show(ek)}`;
  for (const k of ek) {
    const d = strictDiff((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

function protoName(v: object): string {
  const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return proto === null ? 'null' : proto.constructor?.name ?? '(anonymous)';
}

// ---------------------------------------------------------------------------------------------------------
// Key equality (what the key encoder must treat as the same input)

function keyKind(v: object): string {
  if (typeof (v as { [keyHook]?: unknown })[keyHook] === 'function') return 'hook';
  if (Array.isArray(v)) return 'array';
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null) return 'plain';
  if (v instanceof Date) return 'Date';
  if (v instanceof Map) return 'Map';
  if (v instanceof Set) return 'Set';
  if (v instanceof RegExp) return 'RegExp';
  if (v instanceof ArrayBuffer) return 'ArrayBuffer';
  if (v instanceof DataView) return 'DataView';
  if (ArrayBuffer.isView(v)) return (v as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag];
  throw new Error(`keyEqual: unsupported value ${show(v)}`);
}

/**
 * Structural equality under key semantics: NaN equals NaN, -0 differs from 0, a present key holding
 * `undefined` differs from an absent one, object key order and Map/Set insertion order do not matter,
 * typed arrays compare by kind and bytes, hook instances by their hook value.
 */
export function keyEqual(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) return false;
  if (typeof a !== 'object' || a === null || b === null) return Object.is(a, b);
  const x = a as object;
  const y = b as object;
  const kind = keyKind(x);
  if (kind !== keyKind(y)) return false;
  switch (kind) {
    case 'hook':
      return keyEqual((x as Tagged)[keyHook](), (y as Tagged)[keyHook]());
    case 'array': {
      const xs = x as unknown[];
      const ys = y as unknown[];
      return xs.length === ys.length && xs.every((v, i) => keyEqual(v, ys[i]));
    }
    case 'plain': {
      const xk = Object.keys(x).sort();
      const yk = Object.keys(y).sort();
      return xk.length === yk.length && xk.every((k, i) => k === yk[i]
        && keyEqual((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]));
    }
    case 'Date':
      return Object.is((x as Date).getTime(), (y as Date).getTime());
    case 'Map':
      return sameMultiset([...(x as Map<unknown, unknown>)], [...(y as Map<unknown, unknown>)],
        ([k1, v1], [k2, v2]) => keyEqual(k1, k2) && keyEqual(v1, v2));
    case 'Set':
      return sameMultiset([...(x as Set<unknown>)], [...(y as Set<unknown>)], keyEqual);
    case 'RegExp':
      return (x as RegExp).source === (y as RegExp).source && (x as RegExp).flags === (y as RegExp).flags;
    default:
      return sameBytes(x as Binary, y as Binary);
  }
}

/** Multiset equality under an equivalence relation (greedy matching is exact for equivalences). */
function sameMultiset<T>(xs: T[], ys: T[], eq: (a: T, b: T) => boolean): boolean {
  if (xs.length !== ys.length) return false;
  const left = [...ys];
  for (const v of xs) {
    const i = left.findIndex(w => eq(v, w));
    if (i < 0) return false;
    left.splice(i, 1);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Seeded rewrites: the same value rebuilt in another insertion order, or minimally changed

export type Rand = () => number;

/** mulberry32: a small deterministic PRNG, so fast-check can replay a failing seed. */
export function seeded(seed: number): Rand {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rand: Rand, n: number): number => Math.floor(rand() * n);

function shuffled<T>(items: T[], rand: Rand): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(rand, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** A deep copy of `value` with object keys, Map entries and Set members inserted in a shuffled order. */
export function reshuffle(value: unknown, rand: Rand): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Tagged) return new Tagged(reshuffle(value.id, rand));
  if (Array.isArray(value)) return value.map(v => reshuffle(v, rand));
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = Object.create(proto);
    for (const k of shuffled(Object.keys(value), rand)) {
      Object.defineProperty(out, k, { value: reshuffle((value as Record<string, unknown>)[k], rand), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (value instanceof Map) return new Map(shuffled([...value], rand).map(([k, v]) => [reshuffle(k, rand), reshuffle(v, rand)]));
  if (value instanceof Set) return new Set(shuffled([...value], rand).map(v => reshuffle(v, rand)));
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof RegExp) return new RegExp(value.source, value.flags);
  if (value instanceof ArrayBuffer) return value.slice(0);
  if (ArrayBuffer.isView(value)) {
    const C = value.constructor as new (b: ArrayBuffer) => Binary;
    return new C(bytesOf(value).slice().buffer);
  }
  throw new Error(`reshuffle: unsupported value ${show(value)}`);
}

/** A string no key of `taken` equals. */
function freshString(taken: (s: string) => boolean): string {
  let n = 0;
  while (taken(`~spoiler${n}`)) n++;
  return `~spoiler${n}`;
}

/**
 * `value` with one small change somewhere inside it that must change its key: a number moved (0 <-> -0
 * included), a string extended, a key added (holding `undefined`), removed or renamed, two different array
 * elements swapped, a Map entry or Set member added or removed, a byte flipped, null <-> undefined.
 * Unchanged parts are shared with `value`.
 */
export function spoil(value: unknown, rand: Rand): unknown {
  switch (typeof value) {
    case 'number':
      if (Object.is(value, 0)) return -0;
      if (Object.is(value, -0)) return 0;
      if (Number.isNaN(value)) return 0;
      if (Number.isFinite(value) && value + 1 !== value) return value + 1;
      return -value;
    case 'string':
      return rand() < 0.5 || value === '' ? `${value}x` : value.slice(1);
    case 'boolean':
      return !value;
    case 'bigint':
      return value + 1n;
    case 'undefined':
      return null;
  }
  if (value === null) return undefined;
  if (value instanceof Tagged) return new Tagged(spoil(value.id, rand));
  if (Array.isArray(value)) return spoilArray(value, rand);
  const proto = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return spoilObject(value as Record<string, unknown>, rand);
  if (value instanceof Map) {
    const entries = [...value];
    const copy = new Map(value);
    const r = pick(rand, 3);
    if (r === 0 && entries.length > 0) {
      const [k, v] = entries[pick(rand, entries.length)]!;
      copy.set(k, spoil(v, rand));
    } else if (r === 1 && entries.length > 0) {
      copy.delete(entries[pick(rand, entries.length)]![0]);
    } else {
      copy.set(freshString(s => entries.some(([k]) => keyEqual(k, s))), spoil(undefined, rand));
    }
    return copy;
  }
  if (value instanceof Set) {
    const members = [...value];
    const copy = new Set(value);
    if (members.length > 0 && rand() < 0.5) copy.delete(members[pick(rand, members.length)]);
    else copy.add(freshString(s => members.some(m => keyEqual(m, s))));
    return copy;
  }
  if (value instanceof Date) {
    const t = value.getTime();
    if (Number.isNaN(t)) return new Date(0);
    return new Date(Number.isNaN(new Date(t + 1).getTime()) ? t - 1 : t + 1);
  }
  if (value instanceof RegExp) {
    return new RegExp(value.source, value.flags.includes('i') ? value.flags.replace('i', '') : `${value.flags}i`);
  }
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    const bytes = bytesOf(value).slice();
    const kind = value instanceof ArrayBuffer ? 'ArrayBuffer' : value instanceof DataView ? 'DataView'
      : value.constructor as TypedArrayClass;
    if (bytes.length > 0 && rand() < 0.7) {
      bytes[pick(rand, bytes.length)]! ^= 1 << pick(rand, 8);
      return makeBinary(kind, bytes);
    }
    const unit = typeof kind === 'string' ? 1 : kind.BYTES_PER_ELEMENT;
    return makeBinary(kind, Uint8Array.from([...bytes, ...new Array<number>(unit).fill(0)]));
  }
  throw new Error(`spoil: unsupported value ${show(value)}`);
}

function spoilArray(value: unknown[], rand: Rand): unknown[] {
  const copy = [...value];
  const r = pick(rand, 4);
  if (r === 0 && copy.length > 0) {
    const i = pick(rand, copy.length);
    copy[i] = spoil(copy[i], rand);
  } else if (r === 1 && copy.length > 0) {
    copy.pop();
  } else if (r === 2) {
    for (let i = 0; i < copy.length; i++) {
      const j = copy.findIndex(v => !keyEqual(v, copy[i]));
      if (j >= 0) {
        [copy[i], copy[j]] = [copy[j], copy[i]];
        return copy;
      }
    }
    copy.push(undefined);
  } else {
    copy.push(copy.length > 0 ? copy[pick(rand, copy.length)] : null);
  }
  return copy;
}

function spoilObject(value: Record<string, unknown>, rand: Rand): Record<string, unknown> {
  const keys = Object.keys(value);
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value));
  for (const k of keys) Object.defineProperty(copy, k, { value: value[k], enumerable: true, writable: true, configurable: true });
  const set = (k: string, v: unknown): void => {
    Object.defineProperty(copy, k, { value: v, enumerable: true, writable: true, configurable: true });
  };
  const r = pick(rand, 4);
  if (r === 0 && keys.length > 0) {
    const k = keys[pick(rand, keys.length)]!;
    set(k, spoil(value[k], rand));
  } else if (r === 1 && keys.length > 0) {
    delete copy[keys[pick(rand, keys.length)]!];
  } else if (r === 2 && keys.length > 0) {
    const k = keys[pick(rand, keys.length)]!;
    delete copy[k];
    set(freshString(s => Object.hasOwn(value, s)), value[k]);
  } else {
    set(freshString(s => Object.hasOwn(value, s)), undefined);
  }
  return copy;
}

/** Every binary kind the codec stores: the typed arrays, then 'Buffer', 'ArrayBuffer' and 'DataView'. */
export const binaryKinds = BINARY_KINDS;

export type BinaryKind = (typeof BINARY_KINDS)[number];

export const binaryKindName = (kind: BinaryKind): string => (typeof kind === 'string' ? kind : kind.name);
