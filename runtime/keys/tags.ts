/**
 * One byte before every encoded key value, so values of different kinds never share bytes
 * (`1` vs `"1"`, `[]` vs `{}`). Part of the key format: changing a tag means bumping KEY_FORMAT.
 */
export const Tag = {
  undefined: 0x00,
  null: 0x01,
  false: 0x02,
  true: 0x03,
  number: 0x04,
  string: 0x05,
  bigint: 0x06,
  date: 0x07,
  array: 0x08,
  object: 0x09,
  end: 0x0a,
  map: 0x0b,
  set: 0x0c,
  bytes: 0x0d,
  regexp: 0x0e,
  hook: 0x0f,
  file: 0x10,
  dir: 0x11,
  args: 0x12,
  variant: 0x13,
} as const;

/** Key format version: the first byte of every key. */
export const KEY_FORMAT = 1;

/** Typed-array kinds, written after Tag.bytes so `Uint8Array [1]` and `Int8Array [1]` differ. */
export const BytesKind = {
  Uint8Array: 1,
  Int8Array: 2,
  Uint8ClampedArray: 3,
  Int16Array: 4,
  Uint16Array: 5,
  Int32Array: 6,
  Uint32Array: 7,
  Float32Array: 8,
  Float64Array: 9,
  BigInt64Array: 10,
  BigUint64Array: 11,
  ArrayBuffer: 12,
  DataView: 13,
  SharedArrayBuffer: 14,
  Float16Array: 15,
} as const;
