import { corrupt } from './corrupt.js';
import { BINARY_ID, TYPED_ARRAYS } from './ext-types.js';

export type BinaryView = ArrayBufferView | ArrayBuffer;

function binaryId(value: BinaryView): number {
  if (value instanceof ArrayBuffer) return BINARY_ID.ArrayBuffer;
  if (value instanceof DataView) return BINARY_ID.DataView;
  if (Buffer.isBuffer(value)) return BINARY_ID.Buffer;
  return TYPED_ARRAYS.findIndex(C => value instanceof C);
}

/** The `Ext.typedArray` payload: the kind id, then the bytes the value sees (not its whole buffer). */
export function encodeBinary(value: BinaryView): Uint8Array {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const data = new Uint8Array(bytes.byteLength + 1);
  data[0] = binaryId(value);
  data.set(bytes, 1);
  return data;
}

/**
 * A fresh value of the stored kind over a copy of the stored bytes, at offset 0 of a buffer of exactly its
 * size. `data` may be a view into a larger allocation at any offset (the store and the blob reader hand out
 * Buffers, and `Buffer#slice` is a view), so nothing here may keep or reinterpret `data.buffer`.
 */
export function decodeBinary(data: Uint8Array): BinaryView {
  if (data.length === 0) corrupt('a binary value has no kind byte');
  const id = data[0]!;
  const copy = new Uint8Array(data.length - 1);
  copy.set(data.subarray(1));
  if (id === BINARY_ID.ArrayBuffer) return copy.buffer;
  if (id === BINARY_ID.DataView) return new DataView(copy.buffer);
  if (id === BINARY_ID.Buffer) return Buffer.from(copy.buffer);
  const Typed = id < TYPED_ARRAYS.length ? TYPED_ARRAYS[id]! : corrupt(`a binary value has unknown kind ${id}`);
  if (copy.length % Typed.BYTES_PER_ELEMENT !== 0) {
    corrupt(`a ${Typed.name} has ${copy.length} bytes, not a multiple of ${Typed.BYTES_PER_ELEMENT}`);
  }
  return new Typed(copy.buffer);
}
