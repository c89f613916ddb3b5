// The on-disk value format, pinned byte for byte: renumbering an extension type or changing a payload
// layout makes every stored entry a miss, so it must fail here first. Typed arrays are stored in the
// machine's byte order; these bytes are little-endian. Extension values are spaced as header, type, payload.
import { describe, expect, it } from 'vitest';
import { strictDiff } from '../helpers/arbitraries.js';
import { viewAt } from '../helpers/buffer-views.js';
import { codecWithTypes, Point } from '../helpers/codec-types.js';
import { fromHex, hex } from '../helpers/msgpack-craft.js';

function fixedError(): TypeError {
  const error = Object.assign(new TypeError('bad input', { cause: 404 }), { code: 'E_BAD' });
  error.stack = 'TypeError: bad input\n    at f';
  return error;
}

const PLAIN: [string, () => unknown, string][] = [
  ['null', () => null, 'c0'],
  ['true', () => true, 'c3'],
  ['false', () => false, 'c2'],
  ['0', () => 0, '00'],
  ['127', () => 127, '7f'],
  ['128', () => 128, 'cc80'],
  ['-1', () => -1, 'ff'],
  ['-33', () => -33, 'd0df'],
  ['65536', () => 65536, 'ce00010000'],
  ['2 ** 32', () => 2 ** 32, 'cf0000000100000000'],
  ['-(2 ** 31) - 1', () => -(2 ** 31) - 1, 'd3ffffffff7fffffff'],
  ['1.5', () => 1.5, 'cb3ff8000000000000'],
  ['NaN', () => NaN, 'cb7ff8000000000000'],
  ['-Infinity', () => -Infinity, 'cbfff0000000000000'],
  ['empty string', () => '', 'a0'],
  ['"hello"', () => 'hello', 'a568656c6c6f'],
  ['"é😀"', () => 'é😀', 'a6c3a9f09f9880'],
  ['32-byte string (str8)', () => 'x'.repeat(32), 'd920' + '78'.repeat(32)],
  ['[]', () => [], '90'],
  ['[1, "a"]', () => [1, 'a'], '9201a161'],
  ['{}', () => ({}), '80'],
  ['{ a: 1, b: [true, null] }', () => ({ a: 1, b: [true, null] }), '82a16101a16292c3c0'],
];

const EXTENSIONS: [string, () => unknown, string][] = [
  ['undefined (ext 0, empty)', () => undefined, 'c700 00'],
  ['-0 (ext 8, empty)', () => -0, 'c700 08'],
  ['Date(0) (ext 1, f64 ms)', () => new Date(0), 'd7 01 0000000000000000'],
  ['Date(1.7e12)', () => new Date(1700000000000), 'd7 01 4278bcfe56800000'],
  ['Invalid Date', () => new Date(NaN), 'd7 01 7ff8000000000000'],
  ['0n (ext 4, decimal)', () => 0n, 'd4 04 30'],
  ['123n', () => 123n, 'c703 04 313233'],
  ['-(2n ** 64n)', () => -(2n ** 64n), 'c715 04 2d3138343436373434303733373039353531363136'],
  ['Map (ext 2, [k, v, ...])', () => new Map<unknown, unknown>([[1, 'a'], [{ k: 1 }, undefined]]), 'c70b 02 9401a16181a16b01c70000'],
  ['Set (ext 3, [members])', () => new Set([1, 'x']), 'd6 03 9201a178'],
  ['Uint8Array (ext 5, kind 0)', () => new Uint8Array([1, 2, 3]), 'd6 05 00010203'],
  ['Int8Array (kind 1)', () => new Int8Array([-1, 2]), 'c703 05 01ff02'],
  ['Uint8ClampedArray (kind 2)', () => new Uint8ClampedArray([255]), 'd5 05 02ff'],
  ['Int16Array (kind 3)', () => new Int16Array([-2]), 'c703 05 03feff'],
  ['Uint16Array (kind 4)', () => new Uint16Array([0x0102]), 'c703 05 040201'],
  ['Int32Array (kind 5)', () => new Int32Array([-3]), 'c705 05 05fdffffff'],
  ['Uint32Array (kind 6)', () => new Uint32Array([0x01020304]), 'c705 05 0604030201'],
  ['Float32Array (kind 7)', () => new Float32Array([1.5]), 'c705 05 070000c03f'],
  ['Float64Array (kind 8)', () => new Float64Array([-0.5]), 'c709 05 08000000000000e0bf'],
  ['BigInt64Array (kind 9)', () => new BigInt64Array([-1n]), 'c709 05 09ffffffffffffffff'],
  ['BigUint64Array (kind 10)', () => new BigUint64Array([2n ** 63n]), 'c709 05 0a0000000000000080'],
  ['Buffer (kind 100)', () => Buffer.from('hi'), 'c703 05 646869'],
  ['ArrayBuffer (kind 101)', () => new Uint8Array([7, 8]).buffer, 'c703 05 650708'],
  ['DataView (kind 102), only the bytes it views', () => new DataView(new Uint8Array([9, 8, 7]).buffer, 1), 'c703 05 660807'],
  ['RegExp (ext 6, [source, flags])', () => /a+b/gi, 'd7 06 92a3612b62a26769'],
  ['TypeError with a prop and a cause (ext 7, { name, message, stack, props, cause })', fixedError,
    'c761 07 85 a46e616d65 a9547970654572726f72 a76d657373616765 a962616420696e707574 a5737461636b ' +
    'bd547970654572726f723a2062616420696e7075740a2020202061742066 a570726f7073 81a4636f6465a5455f424144 a56361757365 cd0194'],
  ['lone surrogate string (ext 10, UTF-16LE)', () => '\uD800x', 'd6 0a 00d87800'],
  ['string starting with U+FEFF (ext 10)', () => '\uFEFFhi', 'c706 0a fffe68006900'],
  ['object with a __proto__ key (ext 11, [k, v, ...])', () => JSON.parse('{"__proto__":1,"b":2}') as unknown, 'c70f 0b 94a95f5f70726f746f5f5f01a16202'],
  ['registered type (ext 9, [name, payload])', () => new Point(1, -0), 'c70c 09 92a5506f696e749201c70008'],
];

describe.each([['plain msgpack', PLAIN], ['extension types', EXTENSIONS]] as const)('the stored bytes of %s', (_, table) => {
  it.each(table)('%s', (_, make, golden) => {
    const codec = codecWithTypes();
    expect(hex(codec.encode(make()))).toBe(golden.replaceAll(' ', ''));
    expect(strictDiff(codec.decode(viewAt(fromHex(golden), 5)), make())).toBeUndefined();
  });
});
