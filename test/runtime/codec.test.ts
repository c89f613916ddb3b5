import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec } from '../../runtime/codec/codec.js';
import { ExtData } from '@msgpack/msgpack';
import { Ext } from '../../runtime/codec/ext-types.js';
import { CorruptEntryError, UnencodableValueError } from '../../runtime/errors.js';
import {
  anyBigInt, anyDate, anyNumber, anyRegExp, anyString, type Binary, binaryArb, binaryKindName, binaryKinds, errorArb,
  makeBinary, primitive, QuotaError, strictDiff, TYPED_ARRAYS, valueArb,
} from '../helpers/arbitraries.js';
import { memoryProblem, pooledCopy, viewAt } from '../helpers/buffer-views.js';
import { Box, codecValues, codecWithTypes, Point } from '../helpers/codec-types.js';
import { ext, hex, pack } from '../helpers/msgpack-craft.js';

const RUNS = { numRuns: 300 };

let nextOffset = 0;

/**
 * Encodes and decodes with one codec, decoding from a Buffer that views a larger allocation (as the store's
 * rows and blob reads are), at `offset` or else at the next of offsets 0..7 in turn.
 */
function roundTrip(codec: Codec, value: unknown, offset = nextOffset++ % 8): unknown {
  return codec.decode(viewAt(codec.encode(value), offset));
}

/** `roundTrip`, failing with the first difference if the value changed. */
function expectRoundTrip(codec: Codec, value: unknown, offset?: number): unknown {
  const decoded = roundTrip(codec, value, offset);
  expect(strictDiff(decoded, value)).toBeUndefined();
  return decoded;
}

function encodeError(value: unknown, codec = new Codec()): UnencodableValueError {
  try {
    codec.encode(value);
  } catch (error) {
    expect(error).toBeInstanceOf(UnencodableValueError);
    return error as UnencodableValueError;
  }
  throw new Error('encode did not throw');
}

describe('the strict comparer these tests rely on', () => {
  it('tells apart what toEqual would let through', () => {
    const bare = new Error('m');
    const withCause = new Error('m');
    withCause.stack = bare.stack;
    Object.defineProperty(withCause, 'cause', { value: undefined, configurable: true, writable: true });
    const pairs: [unknown, unknown][] = [
      [0, -0],
      [{ a: undefined }, {}],
      [[undefined], [,]],
      [Buffer.from([1]), new Uint8Array([1])],
      [new Uint8Array([1]), new Int8Array([1])],
      [new Point(1, 2), { x: 1, y: 2 }],
      [new Map([[1, 'a'], [2, 'b']]), new Map([[2, 'b'], [1, 'a']])],
      [new Date(NaN), new Date(0)],
      [/a/g, /a/i],
      [new TypeError('m'), new RangeError('m')],
      [withCause, bare],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    ];
    for (const [a, b] of pairs) expect(strictDiff(a, b), `${String(a)} vs ${String(b)}`).toBeTypeOf('string');
    expect(strictDiff([NaN, -0, new Map([[{ k: 1 }, new Set([1])]])], [NaN, -0, new Map([[{ k: 1 }, new Set([1])]])])).toBeUndefined();
  });
});

describe('round trips', () => {
  it('any supported value, however nested, decodes to exactly the value encoded', () => {
    const codec = codecWithTypes();
    fc.assert(fc.property(codecValues, fc.nat({ max: 7 }), (value, offset) => {
      expectRoundTrip(codec, value, offset);
    }), { numRuns: 500 });
  });

  it('numbers keep -0, NaN, ±Infinity and every integer width', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyNumber, n => {
      expect(Object.is(roundTrip(codec, n), n)).toBe(true);
    }), RUNS);
    for (const n of [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 31) - 1, 2 ** 32, 0.1]) {
      expect(Object.is(roundTrip(codec, n), n)).toBe(true);
    }
    expect(Object.is((roundTrip(codec, [-0]) as number[])[0], -0)).toBe(true);
  });

  it('strings keep every code point, emoji, combining marks and lone surrogates, short and long', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyString, s => {
      expect(roundTrip(codec, s)).toBe(s);
    }), RUNS);
    for (const s of ['😀', 'e\u0301', '\uD83D', '\uDE00x', 'x'.repeat(60) + '\uD800', '\uDBFF'.repeat(200)]) {
      expect(roundTrip(codec, s)).toBe(s);
    }
  });

  it('strings with lone surrogates keep them as object keys and inside Maps', () => {
    const codec = new Codec();
    const long = 'k'.repeat(80) + '\uD800';
    expectRoundTrip(codec, { [long]: 1, ['\uDC00']: [long] });
    expectRoundTrip(codec, new Map([[long, long]]));
  });

  it('bigints of any size and sign come back as the same bigint', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyBigInt, b => {
      expect(roundTrip(codec, b)).toBe(b);
    }), RUNS);
    expect(roundTrip(codec, -(2n ** 521n) + 1n)).toBe(-(2n ** 521n) + 1n);
  });

  it('undefined survives at top level, as an array element and as a present object key', () => {
    const codec = new Codec();
    expect(roundTrip(codec, undefined)).toBeUndefined();
    const arr = roundTrip(codec, [undefined, 1, undefined]) as unknown[];
    expect(arr).toHaveLength(3);
    expect(Object.hasOwn(arr, 0) && Object.hasOwn(arr, 2)).toBe(true);
    const obj = roundTrip(codec, { a: undefined, b: null }) as Record<string, unknown>;
    expect(Object.hasOwn(obj, 'a')).toBe(true);
    expect(obj.a).toBeUndefined();
    expect(obj.b).toBeNull();
    expect(Object.hasOwn(roundTrip(codec, {}) as object, 'a')).toBe(false);
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.constantFrom(undefined, null, 0), { noNullPrototype: true }), o => {
      expectRoundTrip(codec, o);
    }), RUNS);
  });

  it('plain objects keep awkward keys: __proto__, numeric-looking, empty, dotted', () => {
    const codec = new Codec();
    const value = JSON.parse('{"__proto__": {"polluted": true}, "0": 1, "": 2, "a.b": 3, "constructor": 4}') as object;
    const decoded = expectRoundTrip(codec, value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.hasOwn(decoded, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('objects with a null prototype decode as plain objects with the same entries', () => {
    const codec = new Codec();
    const value = Object.assign(Object.create(null) as object, { a: 1, b: [2] });
    const decoded = roundTrip(codec, value);
    expect(strictDiff(decoded, { a: 1, b: [2] })).toBeUndefined();
  });

  it('dates keep their time, including Invalid Date', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyDate, d => {
      const back = roundTrip(codec, d);
      expect(back).toBeInstanceOf(Date);
      expect(Object.is((back as Date).getTime(), d.getTime())).toBe(true);
    }), RUNS);
    expect(Number.isNaN((roundTrip(codec, new Date('nope')) as Date).getTime())).toBe(true);
  });

  it('Maps keep keys of every type (objects, numbers, strings, NaN, Maps) with nested values, in order', () => {
    const codec = new Codec();
    const value = new Map<unknown, unknown>([
      [{ id: 1 }, 'object key'],
      [1, new Map([[2, new Set([3])]])],
      ['1', [1, undefined]],
      [NaN, -0],
      [new Map([['inner', 1]]), { deep: new Date(5) }],
      [undefined, null],
      [10n, /x/g],
    ]);
    const decoded = expectRoundTrip(codec, value) as Map<unknown, unknown>;
    expect(decoded.get(1)).toBeInstanceOf(Map);
    expect(decoded.get('1')).toEqual([1, undefined]);
    expect(Object.is(decoded.get(NaN), -0)).toBe(true);
    fc.assert(fc.property(fc.array(fc.tuple(valueArb({ maxDepth: 1 }), valueArb({ maxDepth: 1 })), { maxLength: 6 }), entries => {
      expectRoundTrip(codec, new Map(entries));
    }), RUNS);
  });

  it('Sets keep their members of any type, in order', () => {
    const codec = new Codec();
    expectRoundTrip(codec, new Set([1, '1', 1n, { a: 1 }, [1], NaN, undefined, null, new Set([2])]));
    fc.assert(fc.property(fc.array(valueArb({ maxDepth: 1 }), { maxLength: 6 }), members => {
      expectRoundTrip(codec, new Set(members));
    }), RUNS);
  });

  it.each(TYPED_ARRAYS.map(C => [C.name, C] as const))('%s comes back as a %s with the same bytes', (_, C) => {
    const codec = new Codec();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 3 }), (bytes, offset) => {
      const view = makeBinary(C, bytes, offset);
      const back = expectRoundTrip(codec, view);
      expect(back).toBeInstanceOf(C);
      expect((back as ArrayBufferView).byteLength).toBe(view.byteLength);
    }), { numRuns: 100 });
  });

  it('Buffer comes back as a Buffer, ArrayBuffer as an ArrayBuffer and DataView as a DataView', () => {
    const codec = new Codec();
    const buffer = roundTrip(codec, Buffer.from('héllo'));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect((buffer as Buffer).toString()).toBe('héllo');
    const arrayBuffer = roundTrip(codec, new Uint8Array([1, 2, 3]).buffer);
    expect(arrayBuffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(arrayBuffer as ArrayBuffer)]).toEqual([1, 2, 3]);
    const view = roundTrip(codec, new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2));
    expect(view).toBeInstanceOf(DataView);
    expect([(view as DataView).getUint8(0), (view as DataView).getUint8(1), (view as DataView).byteLength]).toEqual([8, 7, 2]);
    fc.assert(fc.property(binaryArb(), b => {
      expectRoundTrip(codec, b);
    }), RUNS);
  });

  it('a decoded Uint8Array owns its memory instead of viewing the encoded bytes', () => {
    const codec = new Codec();
    const bytes = codec.encode({ data: new Uint8Array([1, 2, 3, 4, 5]) });
    const decoded = (codec.decode(bytes) as { data: Uint8Array }).data;
    expect(decoded.byteOffset).toBe(0);
    expect(decoded.buffer.byteLength).toBe(5);
    expect(decoded.buffer).not.toBe(bytes.buffer);
    bytes.fill(0);
    expect([...decoded]).toEqual([1, 2, 3, 4, 5]);
  });

  it('bytes read back as a Buffer (as SQLite returns them) decode to the same binary values', () => {
    const codec = new Codec();
    fc.assert(fc.property(binaryArb(), b => {
      for (const value of [b, { b }]) {
        expect(strictDiff(codec.decode(Buffer.from(codec.encode(value))), value)).toBeUndefined();
      }
    }), RUNS);
  });

  it('RegExps keep source and flags', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyRegExp, r => {
      const back = roundTrip(codec, r);
      expect(back).toBeInstanceOf(RegExp);
      expect([(back as RegExp).source, (back as RegExp).flags]).toEqual([r.source, r.flags]);
    }), RUNS);
    expect(String(roundTrip(codec, /a\/b[/]+/gimsuy))).toBe(String(/a\/b[/]+/gimsuy));
  });

  it('errors keep their class (built-in kinds), name, message, stack, cause and own props', () => {
    const codec = new Codec();
    const inner = new RangeError('too far');
    const error = Object.assign(new TypeError('bad input', { cause: inner }), { code: 'E_BAD', status: 400 });
    const back = expectRoundTrip(codec, error) as TypeError & { code: string; status: number };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.cause).toBeInstanceOf(RangeError);
    expect(back.stack).toBe(error.stack);
    expect([back.code, back.status]).toEqual(['E_BAD', 400]);

    const custom = roundTrip(codec, new QuotaError('over quota', { cause: { retryAfter: 3 } })) as Error;
    expect(custom).toBeInstanceOf(Error);
    expect(custom.name).toBe('QuotaError');
    expect(custom.message).toBe('over quota');
    expect(custom.cause).toEqual({ retryAfter: 3 });

    const withUndefinedCause = roundTrip(codec, new Error('x', { cause: undefined })) as Error;
    expect('cause' in withUndefinedCause).toBe(true);
    expect('cause' in (roundTrip(codec, new Error('x')) as Error)).toBe(false);

    fc.assert(fc.property(errorArb(primitive), e => {
      expectRoundTrip(codec, e);
    }), RUNS);
  });

  it('registered types round-trip nested in Maps, arrays and each other', () => {
    const codec = codecWithTypes();
    const value = new Map<unknown, unknown>([
      [new Point(1, 2), [new Point(-0, NaN), new Box(new Map([['p', new Point(3, 4)]]))]],
    ]);
    const decoded = expectRoundTrip(codec, value) as Map<Point, [Point, Box]>;
    const [[key, [p, box]]] = [...decoded];
    expect(key).toBeInstanceOf(Point);
    expect(p).toBeInstanceOf(Point);
    expect(box).toBeInstanceOf(Box);
    expect((box.content as Map<string, Point>).get('p')).toBeInstanceOf(Point);
  });

  it('one codec encodes and decodes many values in a row without state leaking between them', () => {
    const codec = codecWithTypes();
    fc.assert(fc.property(fc.array(codecValues, { maxLength: 5 }), batch => {
      const encoded = batch.map(v => codec.encode(v));
      encoded.forEach((bytes, i) => expect(strictDiff(codec.decode(bytes), batch[i])).toBeUndefined());
    }), { numRuns: 100 });
  });
});

describe('binaries decoded from the Buffers the store hands over', () => {
  const lengths = [0, 1, 8, 24];

  /** Fails unless `decoded` is a fresh value of `expected`'s kind with its bytes, owning exactly its memory. */
  function expectOwnedCopy(decoded: unknown, expected: Binary, input: Uint8Array, where: string): void {
    expect(strictDiff(decoded, expected), where).toBeUndefined();
    expect(memoryProblem(decoded as Binary, input.buffer), where).toBeUndefined();
  }

  it.each(binaryKinds.map(kind => [binaryKindName(kind), kind] as const))(
    '%s decodes to a fresh, exact copy from a view at every offset 0..7, alone and nested',
    (name, kind) => {
      const codec = new Codec();
      for (const length of lengths) {
        const expected = makeBinary(kind, Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff));
        const shapes: [string, unknown, (decoded: unknown) => unknown][] = [
          ['alone', expected, d => d],
          ['in an object', { pad: 'x', data: expected }, d => (d as { data: unknown }).data],
          ['in an array', [1, expected], d => (d as unknown[])[1]],
          ['as a Map value', new Map([['k', expected]]), d => (d as Map<string, unknown>).get('k')],
          ['as a Map key', new Map([[expected, 1]]), d => [...(d as Map<unknown, unknown>).keys()][0]],
          ['in a Set', new Set(['a', expected]), d => [...(d as Set<unknown>)][1]],
        ];
        for (const [shape, value, pick] of shapes) {
          const encoded = codec.encode(value);
          for (let offset = 0; offset < 8; offset++) {
            const input = viewAt(encoded, offset);
            const decoded = pick(codec.decode(input));
            expectOwnedCopy(decoded, expected, input, `${name} of ${length} bytes ${shape} at offset ${offset}`);
            input.fill(0);
            expect(strictDiff(decoded, expected), `${name} after the input was overwritten`).toBeUndefined();
          }
          const pooled = pooledCopy(encoded);
          expectOwnedCopy(pick(codec.decode(pooled)), expected, pooled, `${name} ${shape} from a pool slice`);
        }
      }
    },
  );

  it('the reported cases: 10 bytes stay 10 bytes, a Buffer keeps its 2 bytes, a Float64Array decodes at any offset', () => {
    const codec = new Codec();
    for (let offset = 0; offset < 8; offset++) {
      const ten = codec.decode(viewAt(codec.encode(new Uint8Array(10).fill(9)), offset)) as Uint8Array;
      expect([ten.constructor, ten.length, ten.buffer.byteLength, [...ten]]).toEqual([Uint8Array, 10, 10, new Array(10).fill(9)]);
      const hi = codec.decode(viewAt(codec.encode(Buffer.from('hi')), offset)) as Buffer;
      expect([Buffer.isBuffer(hi), hi.length, hi.buffer.byteLength, hi.toString()]).toEqual([true, 2, 2, 'hi']);
      const floats = codec.decode(viewAt(codec.encode(new Float64Array([1.5, -0, NaN])), offset)) as Float64Array;
      expect(floats).toBeInstanceOf(Float64Array);
      expect([...floats]).toEqual([1.5, -0, NaN]);
    }
  });

  it('any nested value decodes the same from a pool slice as from a fresh array', () => {
    const codec = codecWithTypes();
    fc.assert(fc.property(codecValues, value => {
      const encoded = codec.encode(value);
      fc.pre(encoded.length < 4096);
      expect(strictDiff(codec.decode(pooledCopy(encoded)), value)).toBeUndefined();
    }), { numRuns: 200 });
  });
});

describe('values the codec cannot store', () => {
  it('a function throws UnencodableValueError naming its path', () => {
    const error = encodeError({ fn: () => 1 });
    expect(error.message).toContain('result.fn cannot be stored: it is a function');
    expect(error.path).toBe('result.fn');
  });

  it('a symbol throws UnencodableValueError naming its path', () => {
    expect(encodeError([1, Symbol('s')]).message).toContain('result[1] cannot be stored: it is a symbol');
  });

  it('an unregistered class instance throws UnencodableValueError naming the class', () => {
    class Temperature {
      constructor(readonly celsius: number) {}
    }
    const error = encodeError({ readings: [new Temperature(20)] });
    expect(error.message).toContain('result.readings[0]');
    expect(error.message).toContain('instance of Temperature');
    expect(error.message).toContain('registerType');
  });

  it('a cycle throws UnencodableValueError saying so', () => {
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    const error = encodeError({ node });
    expect(error.message).toContain('result.node.self');
    expect(error.message).toContain('cycle');
    const list: unknown[] = [];
    list.push(new Map([['again', list]]));
    expect(encodeError(list).message).toContain('cycle');
  });

  it('a Promise throws UnencodableValueError naming Promise', () => {
    expect(encodeError({ pending: Promise.resolve(1) }).message).toContain('result.pending cannot be stored: it is an instance of Promise');
  });

  it('unencodable values nested in Maps, Sets and errors are found too', () => {
    expect(encodeError(new Map([['k', () => 1]])).message).toContain('it is a function');
    expect(encodeError(new Set([Symbol.iterator])).message).toContain('it is a symbol');
    expect(encodeError(new Error('x', { cause: new WeakMap() })).message).toContain('WeakMap');
  });

  it('a shared reference that is not a cycle is stored twice', () => {
    const shared = { n: 1 };
    const back = new Codec().decode(new Codec().encode([shared, { again: shared }])) as [object, { again: object }];
    expect(back).toEqual([{ n: 1 }, { again: { n: 1 } }]);
  });

  it('a failed encode leaves the codec usable', () => {
    const codec = new Codec();
    encodeError({ ok: [1, 2], bad: () => 0 }, codec);
    expectRoundTrip(codec, { ok: [1, 2], more: new Map([[1, 2]]) });
  });
});

describe('registering types', () => {
  it('a second class under a taken name throws TypeError; the same class again is fine', () => {
    const codec = codecWithTypes();
    class OtherPoint {}
    expect(() => codec.register({ name: 'Point', class: OtherPoint, encode: () => 0, decode: () => new OtherPoint() }))
      .toThrow(new TypeError('[beautyspot] a different class is already registered as "Point"; pick another name'));
    expect(() => codec.register({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: () => new Point(0, 0) })).not.toThrow();
  });

  it('a registration without encode or decode, a name or a class throws TypeError', () => {
    const codec = new Codec();
    const bad = [
      { name: 'P', class: Point, decode: () => new Point(0, 0) },
      { name: 'P', class: Point, encode: () => 0 },
      { name: '', class: Point, encode: () => 0, decode: () => new Point(0, 0) },
      { name: 'P', encode: () => 0, decode: () => new Point(0, 0) },
    ];
    for (const type of bad) {
      expect(() => codec.register(type as never)).toThrow(TypeError);
    }
    expect(() => codec.register(bad[0] as never)).toThrow(/registerType "P" needs "encode" and "decode" functions/);
    expect(() => codec.register(bad[2] as never)).toThrow(/needs a non-empty "name"/);
  });

  it('decoding a user type this codec does not know throws CorruptEntryError naming the type', () => {
    const bytes = codecWithTypes().encode({ at: new Point(1, 2) });
    expect(() => new Codec().decode(bytes)).toThrow(CorruptEntryError);
    expect(() => new Codec().decode(bytes)).toThrow('stored value has type "Point", which is not registered here');
  });
});

/** The `CorruptEntryError` decoding `bytes` throws; fails if it throws anything else or decodes. */
function corruptError(codec: Codec, bytes: Uint8Array): CorruptEntryError {
  try {
    codec.decode(viewAt(bytes, 3));
  } catch (error) {
    expect(error, `decoding ${hex(bytes, 64)}`).toBeInstanceOf(CorruptEntryError);
    return error as CorruptEntryError;
  }
  throw new Error(`decoding ${hex(bytes, 64)} did not throw`);
}

/** Nested array headers, each claiming `claim` elements: `count` of them, `width` 2 (array16) or 4 (array32). */
function nestedArrayHeaders(count: number, width: 2 | 4, claim: number): Uint8Array {
  const header = width === 2 ? [0xdc, claim >> 8, claim & 0xff] : [0xdd, claim >>> 24, (claim >> 16) & 0xff, (claim >> 8) & 0xff, claim & 0xff];
  return Uint8Array.from({ length: count * header.length }, (_, i) => header[i % header.length]!);
}

describe('bytes that are not a stored value', () => {
  it('every truncation of an encoding throws CorruptEntryError', () => {
    const codec = codecWithTypes();
    fc.assert(fc.property(codecValues, fc.nat(), (value, cut) => {
      const bytes = codec.encode(value);
      corruptError(codec, bytes.slice(0, cut % bytes.length));
    }), RUNS);
  });

  it('an encoding with bytes appended throws CorruptEntryError', () => {
    const codec = new Codec();
    fc.assert(fc.property(valueArb(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (value, extra) => {
      corruptError(codec, Uint8Array.from([...codec.encode(value), ...extra]));
    }), RUNS);
  });

  it('extension types the codec does not know throw CorruptEntryError instead of decoding to raw ExtData', () => {
    const codec = new Codec();
    const unknown = fc.oneof(fc.integer({ min: 12, max: 127 }), fc.integer({ min: -128, max: -1 }));
    fc.assert(fc.property(unknown, fc.uint8Array({ minLength: 1, maxLength: 1 }), (type, data) => {
      corruptError(codec, Uint8Array.from([0xd4, type & 0xff, data[0]!]));
    }), { numRuns: 100 });
    expect(corruptError(codec, Uint8Array.from([0x91, 0xd4, 42, 0])).message).toContain('unknown extension type 42');
    // msgpack's own timestamp extension (-1) would decode to a Date; this codec never writes it.
    expect(corruptError(codec, pack(new Date(0))).message).toContain('unknown extension type -1');
  });

  it('nested array headers that claim far more elements than there are bytes throw before allocating', () => {
    const codec = new Codec();
    const before = process.memoryUsage().heapUsed;
    // The reported case: 50 bytes, ten array32 headers of 16M elements each.
    expect(corruptError(codec, nestedArrayHeaders(10, 4, 0x00ffffff)).message).toContain('elements are announced');
    // Claims within the input's length but nested: 21,845 headers of 65,535 would ask for 1.4G slots.
    corruptError(codec, nestedArrayHeaders(21_845, 2, 0xffff));
    corruptError(codec, nestedArrayHeaders(13_107, 4, 65_535));
    // A map, a string, an extension and a bin, each claiming 4G.
    for (const head of [0xdf, 0xdb, 0xc9, 0xc6]) corruptError(codec, Uint8Array.from([head, 0xff, 0xff, 0xff, 0xff, 1]));
    // The same inside an extension payload (a Map).
    corruptError(codec, pack(ext(Ext.map, nestedArrayHeaders(10, 4, 0x00ffffff))));
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });

  it('any failure inside the decoder is a CorruptEntryError, with the original as its cause', () => {
    const codec = codecWithTypes();
    codec.register({ name: 'Fails', class: QuotaError, encode: () => 0, decode: () => { throw new TypeError('bad payload'); } });
    const cases: [string, Uint8Array, (new (...args: never[]) => Error) | undefined][] = [
      ['an unused byte', Uint8Array.from([0xc1]), undefined],
      ['bytes after the value', Uint8Array.from([0x01, 0x02]), undefined],
      ['a map key msgpack refuses (__proto__)', pack({ ['__proto__']: 1 }), undefined],
      ['a map with an array as key', Uint8Array.from([0x81, 0x90, 0x01]), Error],
      ['invalid UTF-8', Uint8Array.from([0xa2, 0xc3, 0x28]), undefined],
      ['an overlong UTF-8 NUL', Uint8Array.from([0xa2, 0xc0, 0x80]), undefined],
      ['a UTF-8 encoded surrogate', Uint8Array.from([0xa3, 0xed, 0xa0, 0x80]), undefined],
      ['RegExp flags that throw', pack(ext(Ext.regexp, { pack: ['a', 'gg'] })), SyntaxError],
      ['a RegExp source that throws', pack(ext(Ext.regexp, { pack: ['(', ''] })), SyntaxError],
      ['a registered type whose decode throws', pack(ext(Ext.user, { pack: ['Fails', 0] })), TypeError],
    ];
    for (const [what, bytes, cause] of cases) {
      const error = corruptError(codec, bytes);
      expect(error.message, what).toMatch(/^\[beautyspot\] stored value /);
      if (cause) expect(error.cause, what).toBeInstanceOf(cause);
    }
  });

  it('malformed payloads of known extension types throw CorruptEntryError', () => {
    const codec = codecWithTypes();
    const bigintOf = (text: string): Uint8Array => pack(ext(Ext.bigint, [...Buffer.from(text, 'latin1')]));
    const garbage: [string, Uint8Array][] = [
      ['binary value of unknown kind', Uint8Array.from([0xc7, 1, 5, 200])],
      ['binary kind between the typed arrays and Buffer', Uint8Array.from([0xc7, 1, 5, 11])],
      ['binary value without a kind byte', Uint8Array.from([0xc7, 0, 5])],
      ['Float32Array of 3 bytes', Uint8Array.from([0xc7, 4, 5, 7, 1, 2, 3])],
      ['Float64Array of 12 bytes', pack(ext(Ext.typedArray, [8, ...new Array(12).fill(0)]))],
      ['BigInt64Array of 4 bytes', pack(ext(Ext.typedArray, [9, 0, 0, 0, 0]))],
      ['Int16Array of 1 byte', pack(ext(Ext.typedArray, [3, 0]))],
      ['Date of 1 byte', Uint8Array.from([0xd4, 1, 0])],
      ['Date of 16 bytes', Uint8Array.from([0xd8, 1, ...new Array(16).fill(0)])],
      ['undefined with a payload', Uint8Array.from([0xd4, 0, 0])],
      ['-0 with a payload', Uint8Array.from([0xd4, 8, 0])],
      ['UTF-16 string of odd length', pack(ext(Ext.string, [0x41, 0, 0x42]))],
      ['user type whose payload is not [name, data]', Uint8Array.from([0xd4, 9, 0])],
      ['user type with a number for a name', pack(ext(Ext.user, { pack: [1, 2] }))],
      ['user type with three fields', pack(ext(Ext.user, { pack: ['Point', [1, 2], 3] }))],
      ['Map whose payload is not msgpack', Uint8Array.from([0xd4, 2, 0xc1])],
      ['Map whose payload is not an array', pack(ext(Ext.map, { pack: { a: 1 } }))],
      ['Map with an odd number of items', pack(ext(Ext.map, { pack: [1, 2, 3] }))],
      ['Set whose payload is not an array', pack(ext(Ext.set, { pack: 'ab' }))],
      ['object with a number key', pack(ext(Ext.object, { pack: [1, 2] }))],
      ['object with an odd number of items', pack(ext(Ext.object, { pack: ['a'] }))],
      ['RegExp with a number source', pack(ext(Ext.regexp, { pack: [1, 'g'] }))],
      ['RegExp with one field', pack(ext(Ext.regexp, { pack: ['a'] }))],
      ['bigint with letters', bigintOf('12a')],
      ['bigint in exponent form', bigintOf('1e5')],
      ['bigint with a plus sign', bigintOf('+1')],
      ['bigint with spaces', bigintOf(' 1')],
      ['bigint with a leading zero', bigintOf('012')],
      ['bigint of just a sign', bigintOf('-')],
      ['empty bigint', bigintOf('')],
      ['hex bigint', bigintOf('0x10')],
      ['bigint of more than a million digits', bigintOf('9'.repeat(1_000_001))],
      ['msgpack bin, which this codec never writes', Uint8Array.from([0xc4, 1, 7])],
    ];
    for (const [what, bytes] of garbage) expect(corruptError(codec, bytes).message, what).toMatch(/^\[beautyspot\] stored value /);
    expect(corruptError(codec, Uint8Array.from([0xc7, 1, 5, 200])).message).toContain('unknown kind 200');
    expect(corruptError(codec, pack(ext(Ext.typedArray, [8, 1, 2, 3]))).message).toContain('Float64Array has 3 bytes');
  });

  it('the largest bigint stored decodes; a larger one is refused when it is stored, not when it is read', () => {
    const codec = new Codec();
    const largest = BigInt('9'.repeat(1_000_000));
    expect(roundTrip(codec, -largest)).toBe(-largest);
    expect(encodeError(largest * 10n, codec).message).toContain('it is a bigint of more than a million digits');
  });
});

describe('prototypes and classes the stored bytes cannot choose', () => {
  const errorBytes = (fields: Record<string, unknown>): Uint8Array => pack(ext(Ext.error, { pack: fields }));
  const fields = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
    ({ name: 'Error', message: 'm', stack: 'Error: m', props: {}, ...extra });

  it('an error property named __proto__ becomes an own property, not the prototype', () => {
    const codec = new Codec();
    const hostile = errorBytes(fields({ props: ext(Ext.object, { pack: ['__proto__', { polluted: true }, 'code', 1] }) }));
    const decoded = codec.decode(viewAt(hostile, 1)) as Error & { code: number };
    expect(Object.getPrototypeOf(decoded)).toBe(Error.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect(decoded.code).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const legit = new Error('x');
    Object.defineProperty(legit, '__proto__', { value: 5, enumerable: true, writable: true, configurable: true });
    const back = expectRoundTrip(codec, legit) as Error;
    expect(Object.getPrototypeOf(back)).toBe(Error.prototype);
    expect(Object.getOwnPropertyDescriptor(back, '__proto__')?.value).toBe(5);
  });

  it('an error named after an Object.prototype member decodes as an Error with that name', () => {
    const codec = new Codec();
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const decoded = codec.decode(viewAt(errorBytes(fields({ name })), 2)) as Error;
      expect(Object.getPrototypeOf(decoded), name).toBe(Error.prototype);
      expect([decoded.name, decoded.message], name).toEqual([name, 'm']);
    }
    expect(codec.decode(errorBytes(fields({ name: 'TypeError' })))).toBeInstanceOf(TypeError);
  });

  it('an error payload of the wrong shape is corrupt', () => {
    const codec = new Codec();
    const bad: Record<string, unknown>[] = [
      fields({ name: 5 }), fields({ message: { toString: 1 } }), fields({ message: undefined }), fields({ stack: 1 }),
      fields({ props: [] }), fields({ props: undefined }), fields({ props: new ExtData(Ext.map, pack([])) }),
      { message: 'm', stack: 'Error: m', props: {} },
    ];
    for (const f of bad) corruptError(codec, errorBytes(f));
    corruptError(codec, pack(ext(Ext.error, { pack: ['Error', 'm'] })));
  });

  it('errors whose name, message or stack is not a string are refused when stored', () => {
    const withMessage = Object.assign(new Error('x'), { message: 5 });
    expect(encodeError(withMessage).message).toContain('name or message is not a string');
    const withStack = new Error('x');
    Object.defineProperty(withStack, 'stack', { value: 5 });
    expect(encodeError(withStack).message).toContain('stack is not a string');
  });

  it('registered type names that are Object.prototype members are ordinary names', () => {
    const names = ['__proto__', 'toString', 'constructor', 'hasOwnProperty'];
    for (const name of names) {
      const bytes = pack(ext(Ext.user, { pack: [name, 1] }));
      expect(corruptError(new Codec(), bytes).message).toContain(`type "${name}", which is not registered here`);
    }
    const codec = new Codec();
    const classes = names.map(name => {
      const C = class { constructor(readonly n: number) {} };
      codec.register({ name, class: C, encode: v => v.n, decode: d => new C(d as number) });
      return C;
    });
    const decoded = roundTrip(codec, classes.map((C, i) => new C(i))) as { n: number }[];
    decoded.forEach((v, i) => expect([Object.getPrototypeOf(v), v.n]).toEqual([classes[i]!.prototype, i]));
  });

  it('object and Map keys named __proto__ or constructor stay keys', () => {
    const codec = new Codec();
    const object = codec.decode(pack(ext(Ext.object, { pack: ['__proto__', { a: 1 }, 'constructor', 2] }))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(object)).toBe(Object.prototype);
    expect(Object.keys(object)).toEqual(['__proto__', 'constructor']);
    const map = codec.decode(pack(ext(Ext.map, { pack: ['__proto__', 1, 'constructor', 2] }))) as Map<string, number>;
    expect([...map]).toEqual([['__proto__', 1], ['constructor', 2]]);
    expect(Object.getPrototypeOf(codec.decode(pack({ constructor: 1, toString: 2 })))).toBe(Object.prototype);
  });

  it('strings starting with U+FEFF keep it, short and long, as values and as keys', () => {
    const codec = new Codec();
    for (const s of ['\uFEFF', '\uFEFFab', '\uFEFF' + 'x'.repeat(300), 'x\uFEFF' + 'y'.repeat(300)]) {
      expect(roundTrip(codec, s)).toBe(s);
      expectRoundTrip(codec, { [s]: s });
    }
  });
});
