// The key format, pinned byte for byte (docs/architecture.md, "Key format"). Every expectation is a hex literal
// written here: changing a tag, KEY_FORMAT or an encoding fails a test, and means bumping KEY_FORMAT.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHook, KeyWriter, writeDynamic, type Spot } from '../../runtime/index.js';
import { BytesKind, KEY_FORMAT, Tag } from '../../runtime/keys/tags.js';
import { defineTempSpot, loadCompiled, type CompiledFixture } from '../helpers/compile-fixture.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

/** Hex written with spaces between fields, for reading; compared without them. */
const hex = (...fields: string[]): string => fields.join('').replace(/\s+/g, '');

const written = (write: (w: KeyWriter) => void): string => {
  const w = new KeyWriter(1);
  write(w);
  return w.view().toString('hex');
};

const dynamic = (value: unknown): string => written(w => writeDynamic(w, value));

/** Little-endian u32 length + UTF-8, as the key writes strings inside file and dir keys (temp paths vary). */
const text = (s: string): string => {
  const bytes = Buffer.from(s, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length);
  return length.toString('hex') + bytes.toString('hex');
};

const sha256 = (bytes: string | Buffer): Buffer => createHash('sha256').update(bytes).digest();

class Point {
  constructor(readonly x: number) {}
  [keyHook]() {
    return { x: this.x };
  }
}

function nanWithPayload(): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, 0xfff01234);
  view.setUint32(4, 0xdeadbeef);
  return view.getFloat64(0);
}

describe('the tag, kind and format tables', () => {
  it('KEY_FORMAT is 1', () => {
    expect(KEY_FORMAT).toBe(1);
  });

  it('every tag has its byte', () => {
    expect(Tag).toEqual({
      undefined: 0x00, null: 0x01, false: 0x02, true: 0x03, number: 0x04, string: 0x05, bigint: 0x06, date: 0x07,
      array: 0x08, object: 0x09, end: 0x0a, map: 0x0b, set: 0x0c, bytes: 0x0d, regexp: 0x0e, hook: 0x0f,
      file: 0x10, dir: 0x11, args: 0x12, variant: 0x13,
    });
  });

  it('every binary kind has its byte', () => {
    expect(BytesKind).toEqual({
      Uint8Array: 1, Int8Array: 2, Uint8ClampedArray: 3, Int16Array: 4, Uint16Array: 5, Int32Array: 6, Uint32Array: 7,
      Float32Array: 8, Float64Array: 9, BigInt64Array: 10, BigUint64Array: 11, ArrayBuffer: 12, DataView: 13,
      SharedArrayBuffer: 14, Float16Array: 15,
    });
  });
});

/** [what, value, the same bytes through KeyWriter calls, the bytes]. */
const VALUES: [string, unknown, (w: KeyWriter) => void, string][] = [
  ['undefined', undefined, w => w.undef(), '00'],
  ['null', null, w => w.nul(), '01'],
  ['false', false, w => w.bool(false), '02'],
  ['true', true, w => w.bool(true), '03'],
  ['1', 1, w => w.num(1), '04 000000000000f03f'],
  ['-1.5', -1.5, w => w.num(-1.5), '04 000000000000f8bf'],
  ['0', 0, w => w.num(0), '04 0000000000000000'],
  ['-0 (kept apart from 0)', -0, w => w.num(-0), '04 0000000000000080'],
  ['NaN (canonical)', NaN, w => w.num(NaN), '04 000000000000f87f'],
  ['a negative NaN with a payload (canonical)', nanWithPayload(), w => w.num(nanWithPayload()), '04 000000000000f87f'],
  ['Infinity', Infinity, w => w.num(Infinity), '04 000000000000f07f'],
  ['-Infinity', -Infinity, w => w.num(-Infinity), '04 000000000000f0ff'],
  ['2 ** 53', 2 ** 53, w => w.num(2 ** 53), '04 0000000000004043'],
  ['""', '', w => w.str(''), '05 00000000'],
  ['"ab"', 'ab', w => w.str('ab'), '05 02000000 6162'],
  ['"é😀" (UTF-8)', 'é😀', w => w.str('é😀'), '05 06000000 c3a9 f09f9880'],
  ['"é" (NFC)', '\u00e9', w => w.str('\u00e9'), '05 02000000 c3a9'],
  ['"é" (NFD, not normalised)', 'e\u0301', w => w.str('e\u0301'), '05 03000000 65 cc81'],
  ['a lone high surrogate', '\uD800', w => w.str('\uD800'), '05 03000000 eda080'],
  ['a lone low surrogate', '\uDC00', w => w.str('\uDC00'), '05 03000000 edb080'],
  ['U+FFFD', '\uFFFD', w => w.str('\uFFFD'), '05 03000000 efbfbd'],
  ['a lone surrogate in a long string', `${'a'.repeat(70)}\uDBFF`, w => w.str(`${'a'.repeat(70)}\uDBFF`), `05 49000000 ${'61'.repeat(70)} edafbf`],
  ['0n', 0n, w => w.big(0n), '06 01000000 30'],
  ['-123n', -123n, w => w.big(-123n), '06 04000000 2d313233'],
  ['2n ** 64n', 2n ** 64n, w => w.big(2n ** 64n), '06 14000000 3138343436373434303733373039353531363136'],
  ['Date(0)', new Date(0), w => w.date(new Date(0)), '07 04 0000000000000000'],
  ['Date(1700000000000)', new Date(1_700_000_000_000), w => w.date(new Date(1_700_000_000_000)), '07 04 00008056febc7842'],
  ['Invalid Date', new Date(NaN), w => w.date(new Date(NaN)), '07 04 000000000000f87f'],
  ['[]', [], w => w.array(0), '08 00000000'],
  ['[1, "a"]', [1, 'a'], w => {
    w.array(2);
    w.num(1);
    w.str('a');
  }, '08 02000000 04 000000000000f03f 05 01000000 61'],
  ['[[1], [2]]', [[1], [2]], w => {
    w.array(2);
    w.array(1);
    w.num(1);
    w.array(1);
    w.num(2);
  }, '08 02000000 08 01000000 04 000000000000f03f 08 01000000 04 0000000000000040'],
  ['[[1, 2]]', [[1, 2]], w => {
    w.array(1);
    w.array(2);
    w.num(1);
    w.num(2);
  }, '08 01000000 08 02000000 04 000000000000f03f 04 0000000000000040'],
  ['{}', {}, w => {
    w.object();
    w.end();
  }, '09 0a'],
  ['{ b: 1, a: 2 } (keys sorted)', { b: 1, a: 2 }, w => {
    w.object();
    w.key('a');
    w.num(2);
    w.key('b');
    w.num(1);
    w.end();
  }, '09 05 01000000 61 04 0000000000000040 05 01000000 62 04 000000000000f03f 0a'],
  ['{ a: undefined } (present)', { a: undefined }, w => {
    w.object();
    w.key('a');
    w.undef();
    w.end();
  }, '09 05 01000000 61 00 0a'],
  ['{ 0: 1 }', { 0: 1 }, w => {
    w.object();
    w.key('0');
    w.num(1);
    w.end();
  }, '09 05 01000000 30 04 000000000000f03f 0a'],
  ['Map { b => 1, a => 2 } (entries sorted by bytes)', new Map([['b', 1], ['a', 2]]), w => w.mapOf(new Map([['a', 2], ['b', 1]]), (s, k) => s.str(k), (s, v) => s.num(v)),
    '0b 02000000 05 01000000 61 04 0000000000000040 05 01000000 62 04 000000000000f03f'],
  ['Set { "b", "a" } (members sorted by bytes)', new Set(['b', 'a']), w => w.setOf(new Set(['a', 'b']), (s, v) => s.str(v)),
    '0c 02000000 05 01000000 61 05 01000000 62'],
  ['/a+/gi', /a+/gi, w => w.regexp(/a+/gi), '0e 02000000 612b 02000000 6769'],
  ['a [keyHook]() instance', new Point(1), w => {
    w.hook();
    w.object();
    w.key('x');
    w.num(1);
    w.end();
  }, '0f 09 05 01000000 78 04 000000000000f03f 0a'],
];

describe('values', () => {
  it.each(VALUES)('%s', (_, value, write, bytes) => {
    expect(dynamic(value)).toBe(hex(bytes));
    expect(written(write)).toBe(hex(bytes));
  });

  it('Map and Set bytes do not depend on insertion order', () => {
    const entries: [unknown, unknown][] = [[2, 'x'], ['k', [1]], [{ z: 1 }, null]];
    const set = '0c 03000000 04 0000000000000040 04 0000000000000840 05 01000000 61';
    expect(dynamic(new Set([3, 'a', 2]))).toBe(hex(set));
    expect(dynamic(new Set(['a', 2, 3]))).toBe(hex(set));
    const map = hex('0b 03000000',
      '04 0000000000000040 05 01000000 78',
      '05 01000000 6b 08 01000000 04 000000000000f03f',
      '09 05 01000000 7a 04 000000000000f03f 0a 01');
    expect(dynamic(new Map(entries))).toBe(map);
    expect(dynamic(new Map([...entries].reverse()))).toBe(map);
  });
});

describe('binary values: kind byte, u32 byte length, bytes', () => {
  const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  const kinds: [string, number][] = [
    ['Uint8Array', 0x01], ['Int8Array', 0x02], ['Uint8ClampedArray', 0x03], ['Int16Array', 0x04], ['Uint16Array', 0x05],
    ['Int32Array', 0x06], ['Uint32Array', 0x07], ['Float32Array', 0x08], ['Float64Array', 0x09], ['BigInt64Array', 0x0a],
    ['BigUint64Array', 0x0b], ['Float16Array', 0x0f],
  ];
  const available = kinds.filter(([name]) => typeof (globalThis as Record<string, unknown>)[name] === 'function');

  it('every typed array kind over the same 8 bytes', () => {
    expect(available.length).toBeGreaterThanOrEqual(11);
    for (const [name, kind] of available) {
      const View = (globalThis as unknown as Record<string, new (buffer: ArrayBuffer) => ArrayBufferView>)[name]!;
      const expected = hex(`0d ${kind.toString(16).padStart(2, '0')} 08000000 0102030405060708`);
      expect({ name, bytes: dynamic(new View(bytes.slice().buffer)) }).toEqual({ name, bytes: expected });
      expect(written(w => w.binary(new View(bytes.slice().buffer)))).toBe(expected);
    }
  });

  it('ArrayBuffer, SharedArrayBuffer and DataView have their own kinds; Buffer is a Uint8Array', () => {
    const shared = new SharedArrayBuffer(2);
    new Uint8Array(shared).set([1, 2]);
    expect(dynamic(Uint8Array.from([1, 2]).buffer)).toBe(hex('0d 0c 02000000 0102'));
    expect(dynamic(shared)).toBe(hex('0d 0e 02000000 0102'));
    expect(dynamic(new DataView(Uint8Array.from([1, 2]).buffer))).toBe(hex('0d 0d 02000000 0102'));
    expect(dynamic(Buffer.from([1, 2]))).toBe(hex('0d 01 02000000 0102'));
    expect(dynamic(Uint8Array.from([1, 2]))).toBe(hex('0d 01 02000000 0102'));
  });

  it('a view keys only the bytes it covers', () => {
    const buffer = Uint8Array.from([9, 9, 1, 2, 3, 4, 9, 9]).buffer;
    expect(dynamic(new Uint8Array(buffer, 2, 4))).toBe(hex('0d 01 04000000 01020304'));
    expect(dynamic(new Uint16Array(buffer, 2, 2))).toBe(hex('0d 05 04000000 01020304'));
    expect(dynamic(new DataView(buffer, 2, 4))).toBe(hex('0d 0d 04000000 01020304'));
    expect(dynamic(Buffer.from(buffer, 2, 4))).toBe(hex('0d 01 04000000 01020304'));
  });

  it('a subclass that overrides Symbol.toStringTag keys as what it is', () => {
    class Disguised extends Uint8Array {
      override get [Symbol.toStringTag](): 'Uint8Array' {
        return 'Int8Array' as 'Uint8Array';
      }
    }
    expect(dynamic(new Disguised([1]))).toBe(hex('0d 01 01000000 01'));
  });
});

describe('arguments, union members, files and directories', () => {
  it('args: tag 0x12 and a u32 count; a union member: tag 0x13 and a u32 index', () => {
    expect(written(w => w.args(3))).toBe(hex('12 03000000'));
    expect(written(w => w.variant(2))).toBe(hex('13 02000000'));
  });

  it('FilePath: tag, the path as given, then 0x00 (missing) or 0x01 and the SHA-256 of the content', () => {
    const file = join(tempDir(), 'in.txt');
    expect(written(w => w.file(file))).toBe(hex('10', text(file), '00'));
    writeFileSync(file, 'hello');
    expect(written(w => w.file(file))).toBe(hex('10', text(file), '01 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'));
  });

  it('DirPath: tag, the path as given, then 0x00 (missing) or 0x01 and the tree digest', () => {
    const root = join(tempDir(), 'site');
    expect(written(w => w.dir(root))).toBe(hex('11', text(root), '00'));
    mkdirSync(join(root, 'sub'), { recursive: true });
    writeFileSync(join(root, 'sub', 'b.txt'), 'B');
    writeFileSync(join(root, 'a.txt'), 'A');
    // The tree digest: SHA-256 over sorted entries, "f:<name>\0" + content digest or "d:<name>\0".
    const tree = sha256(Buffer.concat([
      Buffer.from('f:a.txt\0'), sha256('A'), Buffer.from('d:sub\0'), Buffer.from('f:sub/b.txt\0'), sha256('B'),
    ]));
    expect(tree.toString('hex')).toBe('dfa6fec01a13ca19dbb3463cd097359d37bc2e1fc7c30fb30b6c922c174eed93');
    expect(written(w => w.dir(root))).toBe(hex('11', text(root), '01 dfa6fec01a13ca19dbb3463cd097359d37bc2e1fc7c30fb30b6c922c174eed93'));
  });

  it('FilePath | DirPath: the DirPath bytes for a directory, the FilePath bytes for a file or a missing path', () => {
    const root = join(tempDir(), 'either');
    expect(written(w => w.path(root, 'source'))).toBe(hex('10', text(root), '00'));
    writeFileSync(root, 'hello');
    expect(written(w => w.path(root, 'source'))).toBe(written(w => w.file(root)));
    rmSync(root);
    mkdirSync(root);
    writeFileSync(join(root, 'a.txt'), 'A');
    expect(written(w => w.path(root, 'source'))).toBe(written(w => w.dir(root)));
    expect(written(w => w.path(root, 'source')).startsWith(hex('11'))).toBe(true);
  });
});

/** The key of the one entry of `fn` in the spot. */
function onlyKey(spot: Spot, fn: string): string {
  const entries = spot.entries({ fn });
  expect(entries).toHaveLength(1);
  return entries[0]!.key;
}

/** The 43-character key of some key bytes: base64url(SHA-256). */
const keyOfBytes = (bytes: string): string => sha256(Buffer.from(bytes, 'hex')).toString('base64url');

describe('full keys of marked functions', () => {
  // KEY_FORMAT str("golden.add") str("1") str("") — codeHash=false leaves the code hash empty.
  const addPrefix = '01 05 0a000000 676f6c64656e2e616464 05 01000000 31 05 00000000';

  it('mark(fn, { name, version, codeHash: false }): prefix, then args', () => {
    const spot = tempSpot();
    const add = spot.mark((a: number, b: string) => `${a}${b}`, { name: 'golden.add', version: 1, codeHash: false });
    add(1, 'a');
    const bytes = hex(addPrefix, '12 02000000 04 000000000000f03f 05 01000000 61');
    expect(keyOfBytes(bytes)).toBe('wpGjymjlQnXVbhFbLqOg2VdvC0j8NtHlRajzpD0F-9s');
    expect(onlyKey(spot, 'golden.add')).toBe('wpGjymjlQnXVbhFbLqOg2VdvC0j8NtHlRajzpD0F-9s');
  });

  it('a trailing undefined argument is dropped: f(1) and f(1, undefined) have the key of one argument', () => {
    const spot = tempSpot();
    const add = spot.mark((a: number, b?: string) => `${a}${b}`, { name: 'golden.add', version: 1, codeHash: false });
    add(1, undefined);
    add(1);
    const bytes = hex(addPrefix, '12 01000000 04 000000000000f03f');
    expect(keyOfBytes(bytes)).toBe('cuD9-2cCFjfrbVRG7EnIBM7Qc6lUTRKtanjhlzFSFXo');
    expect(onlyKey(spot, 'golden.add')).toBe('cuD9-2cCFjfrbVRG7EnIBM7Qc6lUTRKtanjhlzFSFXo');
  });

  it('with the key option, the key value replaces the args', () => {
    const spot = tempSpot();
    const load = spot.mark((user: { id: string; noise: number }) => user.noise, { name: 'golden.add', version: 1, codeHash: false, key: user => user.id });
    load({ id: 'a', noise: 1 });
    load({ id: 'a', noise: 2 });
    const bytes = hex(addPrefix, '05 01000000 61');
    expect(keyOfBytes(bytes)).toBe('KpWfscgsvwBjsB6UGEocmvcf0MF4x1wtbHPY1E0nxSU');
    expect(onlyKey(spot, 'golden.add')).toBe('KpWfscgsvwBjsB6UGEocmvcf0MF4x1wtbHPY1E0nxSU');
  });

  it('the runtime code hash is the first 32 hex digits of SHA-256 over fn.toString()', () => {
    const spot = tempSpot();
    // A function built from text, so its source (and with it the code hash) is the same wherever this test runs.
    const body = new Function('a', 'return a * 2') as (a: number) => number;
    expect(body.toString()).toBe('function anonymous(a\n) {\nreturn a * 2\n}');
    const double = spot.mark(body, { name: 'golden.double' });
    double(21);
    const bytes = hex(
      '01 05 0d000000 676f6c64656e2e646f75626c65 05 00000000',
      `05 20000000 ${Buffer.from('a1016a0beb4e01723bb7734149f30a4c').toString('hex')}`,
      '12 01000000 04 0000000000003540',
    );
    expect(keyOfBytes(bytes)).toBe('ha6nbwjF_zdt_MeUtWuitAtr3qSEiZBEoBIYcf7APUc');
    expect(onlyKey(spot, 'golden.double')).toBe('ha6nbwjF_zdt_MeUtWuitAtr3qSEiZBEoBIYcf7APUc');
  });
});

describe('compiled key code (test/plugin/fixtures/key-golden.ts)', () => {
  const fixtures = fileURLToPath(new URL('../plugin/fixtures/', import.meta.url));
  const { spot, remove } = defineTempSpot('golden');
  let compiled: CompiledFixture;

  beforeAll(async () => {
    compiled = await loadCompiled(join(fixtures, 'key-golden.ts'), fixtures);
  });

  afterAll(remove);

  const bytesOf = (fn: string, ...args: unknown[]): string => written(w => compiled.writer(`key-golden.ts#${fn}`)(w, args, undefined));

  it('strings and numbers, with the default bound and the Ignore parameter left out', () => {
    const greet = '12 02000000 05 02000000 6162 04 0000000000000040';
    expect(bytesOf('greet', 'ab')).toBe(hex(greet));
    expect(bytesOf('greet', 'ab', 2, () => 0)).toBe(hex(greet));
    expect(bytesOf('greet', 'ab', 3)).toBe(hex('12 02000000 05 02000000 6162 04 0000000000000840'));
  });

  it('a typeof union, a discriminated union and a Date', () => {
    const circle = '09 05 04000000 6b696e64 05 06000000 636972636c65 05 06000000 726164697573 04 000000000000f03f 0a';
    const square = '09 05 04000000 6b696e64 05 06000000 737175617265 05 04000000 73696465 04 0000000000000040 0a';
    const epoch = '07 04 0000000000000000';
    expect(bytesOf('label', 7, { kind: 'circle', radius: 1 }, new Date(0))).toBe(hex('12 03000000 04 0000000000001c40', circle, epoch));
    expect(bytesOf('label', '7', { kind: 'square', side: 2 }, new Date(0))).toBe(hex('12 03000000 05 01000000 37', square, epoch));
    expect(bytesOf('label', null, { kind: 'circle', radius: 1, extra: true }, new Date(0))).toBe(hex('12 03000000 01', circle, epoch));
  });

  it('an object by its declared fields (an absent optional field writes nothing), a tuple', () => {
    const exact = '05 05000000 6578616374 03';
    const tags = '05 04000000 74616773 08 01000000 05 01000000 61';
    const pair = '08 02000000 05 01000000 78 06 01000000 35';
    expect(bytesOf('summarize', { tags: ['a'], exact: true }, ['x', 5n])).toBe(hex('12 02000000 09', exact, tags, '0a', pair));
    expect(bytesOf('summarize', { tags: ['a'], exact: true, limit: 3 }, ['x', 5n]))
      .toBe(hex('12 02000000 09', exact, '05 05000000 6c696d6974 04 0000000000000840', tags, '0a', pair));
    expect(bytesOf('summarize', { tags: ['a'], exact: true, limit: undefined }, ['x', 5n]))
      .toBe(hex('12 02000000 09', exact, '05 05000000 6c696d6974 00', tags, '0a', pair));
  });

  it('Map, Set, binary data and a key-hook class', () => {
    const counts = '0b 02000000 05 01000000 61 04 000000000000f03f 05 01000000 62 04 0000000000000040';
    // Sorted by bytes, not by value: 2 (…00 40) comes before 1 (…f0 3f).
    const seen = '0c 02000000 04 0000000000000040 04 000000000000f03f';
    const data = '0d 01 02000000 0102';
    const owner = '0f 09 05 02000000 6964 05 01000000 78 0a';
    const { Account } = compiled.module as { Account: new (id: string, balance: number) => object };
    expect(bytesOf('tally', new Map([['b', 2], ['a', 1]]), new Set([2, 1]), Buffer.from([1, 2]), new Account('x', 5)))
      .toBe(hex('12 04000000', counts, seen, data, owner));
    expect(bytesOf('tally', new Map([['a', 1], ['b', 2]]), new Set([1, 2]), Uint8Array.from([1, 2]), new Account('x', 99)))
      .toBe(hex('12 04000000', counts, seen, data, owner));
  });

  it('FilePath and DirPath parameters', () => {
    const base = tempDir();
    const file = join(base, 'in.txt');
    writeFileSync(file, 'hello');
    const tree = join(base, 'missing-tree');
    expect(bytesOf('read', file, tree))
      .toBe(hex('12 02000000 10', text(file), '01 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 11', text(tree), '00'));
  });

  it('the full key of a compiled call: prefix with the compiled id, then the compiled args', () => {
    const { greet, runs } = compiled.module as { greet: (name: string, times?: number) => string; runs: string[] };
    expect(greet('ab')).toBe('abab');
    expect(greet('ab', 2)).toBe('abab');
    expect(runs).toEqual(['greet(ab,2)']);
    const bytes = hex(
      '01 05 13000000 6b65792d676f6c64656e2e7473236772656574 05 00000000 05 00000000',
      '12 02000000 05 02000000 6162 04 0000000000000040',
    );
    expect(keyOfBytes(bytes)).toBe('Y81X8ayORF0E4kpBMCD-Mdm6Z_LO_s5jF95Yvb8JwrI');
    expect(onlyKey(spot, 'key-golden.ts#greet')).toBe('Y81X8ayORF0E4kpBMCD-Mdm6Z_LO_s5jF95Yvb8JwrI');
  });
});
