import { crc32 } from 'node:zlib';

/**
 * CRC-32 (zlib's: reflected, polynomial 0xEDB88320) of short inputs in JavaScript. A `zlib.crc32` call costs
 * about 0.2 µs whatever its length (the binding, and a UTF-8 copy of a string); a table loop over the few dozen
 * bytes of a key or a record header costs a fraction of that. Long inputs (values) still go to zlib.
 */
let table: Int32Array | undefined;

function crcTable(): Int32Array {
  if (table) return table;
  table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** `zlib.crc32(text, prev)`: the CRC of the text's UTF-8 bytes; ASCII is done here, the rest from the first non-ASCII character by zlib. */
export function crc32Text(text: string, prev = 0): number {
  const t = crcTable();
  let crc = ~prev;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return crc32(text.slice(i), ~crc >>> 0);
    crc = t[(crc ^ code) & 0xff]! ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}

/** `zlib.crc32(bytes.subarray(start, end), prev)`, without the subarray. */
export function crc32Bytes(bytes: Uint8Array, start: number, end: number, prev = 0): number {
  const t = crcTable();
  let crc = ~prev;
  for (let i = start; i < end; i++) crc = t[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
