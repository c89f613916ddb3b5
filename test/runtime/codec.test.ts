import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Codec } from '../../runtime/codec/codec.js';
import { CorruptEntryError, UnencodableValueError } from '../../runtime/errors.js';
import {
  anyBigInt, anyDate, anyNumber, anyRegExp, anyString, binaryArb, errorArb, makeBinary, primitive, QuotaError,
  strictDiff, TYPED_ARRAYS, valueArb,
} from '../helpers/arbitraries.js';

const RUNS = { numRuns: 300 };

/** A user type with a small fixed payload. */
class Point {
  constructor(readonly x: number, readonly y: number) {}
}

/** A user type whose payload is any codec value (Maps, other user types, ...). */
class Box {
  constructor(readonly content: unknown) {}
}

function codecWithTypes(): Codec {
  const codec = new Codec();
  codec.register({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: d => new Point(...(d as [number, number])) });
  codec.register({ name: 'Box', class: Box, encode: b => b.content, decode: d => new Box(d) });
  return codec;
}

const pointArb = fc.tuple(anyNumber, anyNumber).map(([x, y]) => new Point(x, y));
const values = valueArb({ errors: true, leaves: [pointArb], wrappers: [tree => tree.map(c => new Box(c))] });

/** Encodes and decodes with one codec, failing with the first difference if the value changed. */
function expectRoundTrip(codec: Codec, value: unknown): unknown {
  const decoded = codec.decode(codec.encode(value));
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
    fc.assert(fc.property(values, value => {
      expectRoundTrip(codec, value);
    }), { numRuns: 500 });
  });

  it('numbers keep -0, NaN, ±Infinity and every integer width', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyNumber, n => {
      expect(Object.is(codec.decode(codec.encode(n)), n)).toBe(true);
    }), RUNS);
    for (const n of [-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, -(2 ** 31) - 1, 2 ** 32, 0.1]) {
      expect(Object.is(codec.decode(codec.encode(n)), n)).toBe(true);
    }
    expect(Object.is((codec.decode(codec.encode([-0])) as number[])[0], -0)).toBe(true);
  });

  it('strings keep every code point, emoji, combining marks and lone surrogates, short and long', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyString, s => {
      expect(codec.decode(codec.encode(s))).toBe(s);
    }), RUNS);
    for (const s of ['😀', 'e\u0301', '\uD83D', '\uDE00x', 'x'.repeat(60) + '\uD800', '\uDBFF'.repeat(200)]) {
      expect(codec.decode(codec.encode(s))).toBe(s);
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
      expect(codec.decode(codec.encode(b))).toBe(b);
    }), RUNS);
    expect(codec.decode(codec.encode(-(2n ** 521n) + 1n))).toBe(-(2n ** 521n) + 1n);
  });

  it('undefined survives at top level, as an array element and as a present object key', () => {
    const codec = new Codec();
    expect(codec.decode(codec.encode(undefined))).toBeUndefined();
    const arr = codec.decode(codec.encode([undefined, 1, undefined])) as unknown[];
    expect(arr).toHaveLength(3);
    expect(Object.hasOwn(arr, 0) && Object.hasOwn(arr, 2)).toBe(true);
    const obj = codec.decode(codec.encode({ a: undefined, b: null })) as Record<string, unknown>;
    expect(Object.hasOwn(obj, 'a')).toBe(true);
    expect(obj.a).toBeUndefined();
    expect(obj.b).toBeNull();
    expect(Object.hasOwn(codec.decode(codec.encode({})) as object, 'a')).toBe(false);
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
    const decoded = codec.decode(codec.encode(value));
    expect(strictDiff(decoded, { a: 1, b: [2] })).toBeUndefined();
  });

  it('dates keep their time, including Invalid Date', () => {
    const codec = new Codec();
    fc.assert(fc.property(anyDate, d => {
      const back = codec.decode(codec.encode(d));
      expect(back).toBeInstanceOf(Date);
      expect(Object.is((back as Date).getTime(), d.getTime())).toBe(true);
    }), RUNS);
    expect(Number.isNaN((codec.decode(codec.encode(new Date('nope'))) as Date).getTime())).toBe(true);
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
    const buffer = codec.decode(codec.encode(Buffer.from('héllo')));
    expect(Buffer.isBuffer(buffer)).toBe(true);
    expect((buffer as Buffer).toString()).toBe('héllo');
    const arrayBuffer = codec.decode(codec.encode(new Uint8Array([1, 2, 3]).buffer));
    expect(arrayBuffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(arrayBuffer as ArrayBuffer)]).toEqual([1, 2, 3]);
    const view = codec.decode(codec.encode(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)));
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
      const back = codec.decode(codec.encode(r));
      expect(back).toBeInstanceOf(RegExp);
      expect([(back as RegExp).source, (back as RegExp).flags]).toEqual([r.source, r.flags]);
    }), RUNS);
    expect(String(codec.decode(codec.encode(/a\/b[/]+/gimsuy)))).toBe(String(/a\/b[/]+/gimsuy));
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

    const custom = codec.decode(codec.encode(new QuotaError('over quota', { cause: { retryAfter: 3 } }))) as Error;
    expect(custom).toBeInstanceOf(Error);
    expect(custom.name).toBe('QuotaError');
    expect(custom.message).toBe('over quota');
    expect(custom.cause).toEqual({ retryAfter: 3 });

    const withUndefinedCause = codec.decode(codec.encode(new Error('x', { cause: undefined }))) as Error;
    expect('cause' in withUndefinedCause).toBe(true);
    expect('cause' in (codec.decode(codec.encode(new Error('x'))) as Error)).toBe(false);

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
    fc.assert(fc.property(fc.array(values, { maxLength: 5 }), batch => {
      const encoded = batch.map(v => codec.encode(v));
      encoded.forEach((bytes, i) => expect(strictDiff(codec.decode(bytes), batch[i])).toBeUndefined());
    }), { numRuns: 100 });
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

describe('bytes that are not a stored value', () => {
  it('every truncation of an encoding throws instead of decoding', () => {
    const codec = codecWithTypes();
    fc.assert(fc.property(values, fc.nat(), (value, cut) => {
      const bytes = codec.encode(value);
      const prefix = bytes.slice(0, cut % bytes.length);
      expect(() => codec.decode(prefix)).toThrow();
    }), RUNS);
  });

  it('an encoding with bytes appended throws', () => {
    const codec = new Codec();
    fc.assert(fc.property(valueArb(), fc.uint8Array({ minLength: 1, maxLength: 4 }), (value, extra) => {
      const bytes = codec.encode(value);
      expect(() => codec.decode(Uint8Array.from([...bytes, ...extra]))).toThrow();
    }), RUNS);
  });

  it('extension types the codec does not know throw CorruptEntryError instead of decoding to raw ExtData', () => {
    const codec = new Codec();
    const unknown = fc.oneof(fc.integer({ min: 12, max: 127 }), fc.integer({ min: -128, max: -2 }));
    fc.assert(fc.property(unknown, fc.uint8Array({ minLength: 1, maxLength: 1 }), (type, data) => {
      expect(() => codec.decode(Uint8Array.from([0xd4, type & 0xff, data[0]!]))).toThrow(CorruptEntryError);
    }), { numRuns: 100 });
    expect(() => codec.decode(Uint8Array.from([0x91, 0xd4, 42, 0]))).toThrow('unknown extension type 42');
  });

  it('malformed payloads of known extension types throw', () => {
    const codec = new Codec();
    const garbage = [
      [0xc1], // never-used msgpack byte
      [0xc7, 1, 5, 200], // binary value of unknown kind
      [0xc7, 4, 5, 7, 1, 2, 3], // Float32Array of 3 bytes
      [0xd4, 1, 0], // Date of 1 byte
      [0xd4, 9, 0], // user type whose payload is not [name, data]
      [0xd4, 2, 0xc1], // Map whose payload is not msgpack
    ];
    for (const bytes of garbage) expect(() => codec.decode(Uint8Array.from(bytes)), `bytes ${bytes}`).toThrow();
    expect(() => codec.decode(Uint8Array.from([0xc7, 1, 5, 200]))).toThrow(CorruptEntryError);
  });
});
