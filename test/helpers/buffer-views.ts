// Bytes laid out the way the store and the blob reader hand them to the codec.

/** `bytes` copied into a Buffer that is a view `offset` bytes into a larger allocation, with junk on both sides. */
export function viewAt(bytes: Uint8Array, offset: number): Buffer {
  const junk = (n: number): Buffer => Buffer.alloc(n, 0xc1);
  return Buffer.concat([junk(offset), bytes, junk(7)]).subarray(offset, offset + bytes.length);
}

/**
 * `bytes` copied into a `Buffer.allocUnsafe` slice of node's shared 8 KiB pool, past other slices (what small
 * reads return). Needs `bytes.length` under 4 KiB, the largest size node takes from the pool.
 */
export function pooledCopy(bytes: Uint8Array): Buffer {
  Buffer.allocUnsafe(8);
  const copy = Buffer.allocUnsafe(bytes.length);
  if (copy.buffer.byteLength === copy.length) throw new Error('pooledCopy: not a pool slice');
  copy.set(bytes);
  return copy;
}

/**
 * Why `value` is not a binary value that owns exactly its memory (a view at offset 0 of a buffer of its own
 * size, not `notOver`), or `undefined` if it is one.
 */
export function memoryProblem(value: ArrayBufferView | ArrayBuffer, notOver?: ArrayBufferLike): string | undefined {
  const buffer = value instanceof ArrayBuffer ? value : value.buffer;
  if (buffer === notOver) return 'it shares the encoded bytes\' buffer';
  if (value instanceof ArrayBuffer) return undefined;
  if (value.byteOffset !== 0) return `its byteOffset is ${value.byteOffset}`;
  if (buffer.byteLength !== value.byteLength) return `its buffer has ${buffer.byteLength} bytes for a view of ${value.byteLength}`;
  return undefined;
}
