/** msgpack extension type numbers used by the codec. Part of the storage format: never renumber. */
export const Ext = {
  undefined: 0,
  date: 1,
  map: 2,
  set: 3,
  bigint: 4,
  typedArray: 5,
  regexp: 6,
  error: 7,
  negativeZero: 8,
  user: 9,
  /**
   * A string msgpack's UTF-8 cannot carry, as UTF-16LE: one with lone surrogates (UTF-8 would turn them into
   * U+FFFD) or starting with U+FEFF (msgpack's TextDecoder drops it as a byte order mark).
   */
  string: 10,
  /** A plain object as [key, value, ...], for keys a msgpack map cannot carry (`__proto__`, lone surrogates). */
  object: 11,
} as const;

/** Typed-array constructors by the id stored in an `Ext.typedArray` payload. */
export const TYPED_ARRAYS = [
  Uint8Array,
  Int8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
] as const;

/** Ids beyond the typed arrays, for the other binary views. */
export const BINARY_ID = {
  Buffer: 100,
  ArrayBuffer: 101,
  DataView: 102,
} as const;
