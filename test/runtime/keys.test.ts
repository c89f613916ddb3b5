import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UnkeyableValueError } from '../../runtime/errors.js';
import { writeDynamic } from '../../runtime/keys/dynamic.js';
import { keyHook } from '../../runtime/keys/key-hook.js';
import { KeyWriter, packConstant } from '../../runtime/keys/key-writer.js';
import {
  anyString, keyEqual, primitive, reshuffle, seeded, spoil, Tagged, valueArb,
} from '../helpers/arbitraries.js';

const RUNS = { numRuns: 400 };

function keyOf(value: unknown, w = new KeyWriter()): string {
  writeDynamic(w, value);
  return w.digest();
}

function keyError(value: unknown): UnkeyableValueError {
  try {
    keyOf(value);
  } catch (error) {
    expect(error).toBeInstanceOf(UnkeyableValueError);
    return error as UnkeyableValueError;
  }
  throw new Error('keying did not throw');
}

/** Everything the dynamic encoder keys: primitives, containers, dates, binary, RegExp and key-hook instances. */
const keyable = valueArb({ buffers: false, nullPrototype: true, leaves: [primitive.map(id => new Tagged(id))] });

describe('equal values give equal keys', () => {
  it('a value rebuilt with other object key, Map entry and Set member insertion orders keys the same', () => {
    fc.assert(fc.property(keyable, fc.integer(), (value, seed) => {
      const copy = reshuffle(value, seeded(seed));
      expect(keyEqual(copy, value)).toBe(true);
      expect(keyOf(copy)).toBe(keyOf(value));
    }), RUNS);
  });

  it('objects, Maps and Sets built in different insertion orders key the same', () => {
    expect(keyOf({ a: 1, b: { c: 2, d: 3 } })).toBe(keyOf({ b: { d: 3, c: 2 }, a: 1 }));
    expect(keyOf(new Map<unknown, unknown>([['x', 1], [{ k: 1 }, [2]]]))).toBe(keyOf(new Map<unknown, unknown>([[{ k: 1 }, [2]], ['x', 1]])));
    expect(keyOf(new Set([1, 'a', [2]]))).toBe(keyOf(new Set([[2], 'a', 1])));
    expect(keyOf({ 2: 'b', 10: 'a', x: 0 })).toBe(keyOf({ x: 0, 10: 'a', 2: 'b' }));
  });

  it('a null-prototype object keys like the plain object with the same entries', () => {
    expect(keyOf(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(keyOf({ a: 1 }));
  });

  it('every NaN keys the same, whatever its payload or sign', () => {
    const view = new DataView(new ArrayBuffer(8));
    view.setUint32(0, 0x7ff81234);
    view.setUint32(4, 0xdeadbeef);
    const payloadNaN = view.getFloat64(0);
    view.setUint32(0, 0xfff00000);
    view.setUint32(4, 1);
    const negativeSignalingNaN = view.getFloat64(0);
    expect(Number.isNaN(payloadNaN) && Number.isNaN(negativeSignalingNaN)).toBe(true);
    const nan = keyOf(NaN);
    for (const n of [0 / 0, Number('x'), Math.sqrt(-1), payloadNaN, negativeSignalingNaN]) expect(keyOf(n)).toBe(nan);
    expect(keyOf([payloadNaN, { n: negativeSignalingNaN }])).toBe(keyOf([NaN, { n: NaN }]));
    expect(keyOf(new Date(NaN))).toBe(keyOf(new Date('not a date')));
  });

  it('a shared (non-cyclic) reference used twice is fine and keys like two equal copies', () => {
    const shared = { deep: [1, 2] };
    expect(keyOf([shared, shared, { again: shared }])).toBe(keyOf([{ deep: [1, 2] }, { deep: [1, 2] }, { again: { deep: [1, 2] } }]));
    const member = [1];
    expect(keyOf(new Map([[member, member]]))).toBe(keyOf(new Map([[[1], [1]]])));
  });

  it('the key does not depend on the writer: fresh, tiny, huge or reset and reused', () => {
    const reused = new KeyWriter(8);
    fc.assert(fc.property(keyable, value => {
      const expected = keyOf(value);
      expect(keyOf(value, new KeyWriter(1))).toBe(expected);
      expect(keyOf(value, new KeyWriter(1 << 16))).toBe(expected);
      expect(keyOf(value, reused.reset())).toBe(expected);
    }), RUNS);
  });
});

describe('different values give different keys', () => {
  const pairs: [string, unknown, unknown][] = [
    ['1 vs "1"', 1, '1'],
    ['[1,2] vs [2,1]', [1, 2], [2, 1]],
    ['{a:1} vs {a:1,b:undefined}', { a: 1 }, { a: 1, b: undefined }],
    ['0 vs -0', 0, -0],
    ['[0] vs [-0]', [0], [-0]],
    ['NaN vs 0', NaN, 0],
    ['true vs 1', true, 1],
    ['false vs 0', false, 0],
    ['null vs undefined', null, undefined],
    ['"" vs []', '', []],
    ['[] vs {}', [], {}],
    ['new Date(0) vs 0', new Date(0), 0],
    ['Uint8Array [1] vs Int8Array [1]', new Uint8Array([1]), new Int8Array([1])],
    ['Uint8Array [1] vs [1]', new Uint8Array([1]), [1]],
    ['Int8Array [1] vs [1]', new Int8Array([1]), [1]],
    ['Uint8Array [1] vs its ArrayBuffer', new Uint8Array([1]), new Uint8Array([1]).buffer],
    ['Uint8Array [1] vs DataView over it', new Uint8Array([1]), new DataView(new Uint8Array([1]).buffer)],
    ['Map vs plain object with the same entries', new Map([['a', 1]]), { a: 1 }],
    ['Set [1] vs [1]', new Set([1]), [1]],
    ['Set vs Map of the same items', new Set([1]), new Map([[1, 1]])],
    ['1n vs 1', 1n, 1],
    ['1n vs "1"', 1n, '1'],
    ['["a","bc"] vs ["ab","c"]', ['a', 'bc'], ['ab', 'c']],
    ['{a:"bc"} vs {ab:"c"}', { a: 'bc' }, { ab: 'c' }],
    ['{a:{b:1}} vs {"a.b":1}', { a: { b: 1 } }, { 'a.b': 1 }],
    ['[[1],[]] vs [[],[1]]', [[1], []], [[], [1]]],
    ['[undefined] vs []', [undefined], []],
    ['/a/g vs /a/', /a/g, /a/],
    ['/a/ vs "a"', /a/, 'a'],
    ['Map {1=>2} vs Map {2=>1}', new Map([[1, 2]]), new Map([[2, 1]])],
    ['Map {[1]=>[]} vs Map {[]=>[1]}', new Map([[[1], []]]), new Map([[[], [1]]])],
    ['hook instance vs its hook value', new Tagged(1), { id: 1 }],
  ];

  it.each(pairs)('%s', (_, a, b) => {
    expect(keyOf(a)).not.toBe(keyOf(b));
  });

  it('all the distinct values above have pairwise distinct keys', () => {
    const values = pairs.flatMap(([, a, b]) => [a, b]);
    const distinct = values.filter((v, i) => values.findIndex(w => keyEqual(v, w)) === i);
    expect(new Set(distinct.map(v => keyOf(v))).size).toBe(distinct.length);
  });

  it('any small change inside a value changes its key', () => {
    fc.assert(fc.property(keyable, fc.integer(), (value, seed) => {
      const changed = spoil(value, seeded(seed));
      expect(keyEqual(changed, value)).toBe(false);
      expect(keyOf(changed)).not.toBe(keyOf(value));
    }), RUNS);
  });

  it('for values over a small domain, keys are equal exactly when the values are equal', () => {
    const small = fc.letrec<{ v: unknown }>(tie => ({
      v: fc.oneof({ maxDepth: 2 },
        { weight: 4, arbitrary: fc.constantFrom<unknown>(0, -0, 1, NaN, '', 'a', '1', true, false, null, undefined, 1n) },
        fc.array(tie('v'), { maxLength: 2 }),
        fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }),
        fc.array(tie('v'), { maxLength: 2 }).map(xs => new Set(xs)),
        fc.array(fc.tuple(tie('v'), tie('v')), { maxLength: 2 }).map(es => new Map(es)),
      ),
    })).v;
    let equalPairs = 0;
    fc.assert(fc.property(small, small, (a, b) => {
      const equal = keyEqual(a, b);
      if (equal) equalPairs++;
      expect(keyOf(a) === keyOf(b)).toBe(equal);
    }), { numRuns: 2000 });
    expect(equalPairs).toBeGreaterThan(20);
  });
});

describe('class instances and other values without a key', () => {
  class Account {
    constructor(readonly id: string, readonly balance: number) {}
    [keyHook](): unknown {
      return { id: this.id };
    }
  }

  it('an instance with a [keyHook]() method keys as its hook value', () => {
    expect(keyOf(new Account('a1', 10))).toBe(keyOf(new Account('a1', 99)));
    expect(keyOf(new Account('a1', 10))).not.toBe(keyOf(new Account('a2', 10)));
    expect(keyOf({ owner: new Account('a1', 0) })).toBe(keyOf({ owner: new Account('a1', 5) }));
    fc.assert(fc.property(primitive, primitive, (x, y) => {
      expect(keyOf(new Tagged(x)) === keyOf(new Tagged(y))).toBe(keyEqual(x, y));
    }), RUNS);
  });

  it('hook values are keyed like any value: order-independent Maps, nested hooks', () => {
    class Bag {
      constructor(readonly items: [string, unknown][]) {}
      [keyHook](): unknown {
        return new Map(this.items);
      }
    }
    expect(keyOf(new Bag([['a', 1], ['b', new Account('x', 1)]]))).toBe(keyOf(new Bag([['b', new Account('x', 2)], ['a', 1]])));
    expect(keyOf(new Bag([['a', 1]]))).not.toBe(keyOf(new Bag([['a', 2]])));
  });

  it('an instance without a hook throws UnkeyableValueError naming the class and path', () => {
    class Connection {}
    const error = keyError({ db: [new Connection()] });
    expect(error.message).toContain('value.db[0] cannot be keyed');
    expect(error.message).toContain('instance of Connection, which has no [keyHook]() method');
    expect(keyError(new Map([['k', new Connection()]])).message).toContain('Connection');
    expect(keyError(new (class {})()).message).toContain('anonymous class');
    expect(keyError(new Error('x')).message).toContain('instance of Error');
    expect(keyError(Promise.resolve()).message).toContain('instance of Promise');
  });

  it('a function or a symbol throws UnkeyableValueError', () => {
    expect(keyError(() => 1).message).toContain('value cannot be keyed: it is a function');
    expect(keyError({ onProgress: () => 1 }).message).toContain('value.onProgress cannot be keyed: it is a function');
    expect(keyError(Symbol('s')).message).toContain('it is a symbol');
    expect(keyError([1, Symbol.iterator]).message).toContain('value[1] cannot be keyed: it is a symbol');
    expect(keyError(new Set([() => 0])).message).toContain('it is a function');
  });

  it('a hook returning something unkeyable throws with the hook in the path', () => {
    const odd = { [keyHook]: () => () => 0 };
    expect(keyError({ odd }).message).toContain('value.odd[keyHook]() cannot be keyed: it is a function');
  });

  it('a cycle throws UnkeyableValueError mentioning the cycle, also through Maps, Sets and hooks', () => {
    const node: Record<string, unknown> = { name: 'n' };
    node.next = { back: node };
    const error = keyError(node);
    expect(error.message).toContain('value.next.back');
    expect(error.message).toContain('it contains itself (a cycle)');
    const list: unknown[] = [];
    list.push(new Map([['again', list]]));
    expect(keyError(list).message).toContain('cycle');
    const set = new Set<unknown>();
    set.add([set]);
    expect(keyError(set).message).toContain('cycle');
    const selfish = { [keyHook]() { return this; } };
    expect(keyError(selfish).message).toContain('cycle');
  });
});

describe('KeyWriter', () => {
  it('a digest is the SHA-256 of the written bytes, as 43 base64url characters (32 bytes)', () => {
    fc.assert(fc.property(keyable, value => {
      const w = new KeyWriter();
      writeDynamic(w, value);
      const digest = w.digest();
      expect(digest).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(digest, 'base64url')).toHaveLength(32);
      expect(digest).toBe(createHash('sha256').update(w.view()).digest('base64url'));
    }), { numRuns: 200 });
  });

  it('grows past its initial size for a 1 MB string, keeping every byte', () => {
    const big = 'x'.repeat(1 << 20);
    const w = new KeyWriter();
    writeDynamic(w, big);
    expect(w.view().length).toBeGreaterThan(1 << 20);
    expect(w.view().subarray(-16).toString('utf8')).toBe('x'.repeat(16));
    expect(keyOf(big)).toBe(keyOf(big, new KeyWriter(4 << 20)));
    expect(keyOf(big)).not.toBe(keyOf(`${'x'.repeat((1 << 20) - 1)}y`));
    const emoji = '😀'.repeat(300_000);
    expect(keyOf([emoji, emoji])).toBe(keyOf([emoji, emoji], new KeyWriter(4 << 20)));
  });

  it('a writer created with size 0 still grows', () => {
    expect(keyOf({ a: 'b' }, new KeyWriter(0))).toBe(keyOf({ a: 'b' }));
  });

  it('strings are written as tag, little-endian UTF-8 length and UTF-8 bytes', () => {
    const w = new KeyWriter();
    w.str('é😀');
    const utf8 = Buffer.from('é😀', 'utf8');
    expect([...w.view()]).toEqual([0x05, utf8.length, 0, 0, 0, ...utf8]);
  });

  it('unicode strings key deterministically and lone surrogates neither collide with each other nor with U+FFFD', () => {
    const strings = ['😀', '\uD83D\uDE00', '\uD83D', '\uDE00', '\uFFFD', '\uD83D\uD83D', '\uDE00\uD83D', 'a\uD800', 'a\uDBFF', 'a\uDC00', 'e\u0301', '\u00e9'];
    const keys = strings.map(s => keyOf(s));
    expect(keys.map((k, i) => keyOf(strings[i]) === k).every(Boolean)).toBe(true);
    expect(keys[0]).toBe(keys[1]);
    expect(new Set(keys).size).toBe(strings.length - 1);
    expect(keyOf(['\uD83D', '\uDE00'])).not.toBe(keyOf(['\uD83D\uDE00']));
    expect(keyOf({ '\uD800': 1 })).not.toBe(keyOf({ '\uDC00': 1 }));
    fc.assert(fc.property(anyString, anyString, (a, b) => {
      expect(keyOf(a) === keyOf(b)).toBe(a === b);
    }), RUNS);
  });

  it('a lone surrogate is written as its 3-byte generalized UTF-8 form', () => {
    const w = new KeyWriter();
    w.str('a\uD800b\uDFFF');
    expect([...w.view()]).toEqual([0x05, 8, 0, 0, 0, 0x61, 0xed, 0xa0, 0x80, 0x62, 0xed, 0xbf, 0xbf]);
  });

  it('packed constant bytes write exactly their bytes, at any offset and across growth', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.nat(8), fc.string(), (before, bytes, size, after) => {
      const packed = new Int32Array(packConstant(bytes));
      const w = new KeyWriter(size);
      w.raw(before);
      w.constant(packed);
      w.str(after);
      const expected = new KeyWriter(size);
      expected.raw(before);
      expected.raw(bytes);
      expected.str(after);
      expect(w.view().toString('hex')).toBe(expected.view().toString('hex'));
    }), RUNS);
  });
});
