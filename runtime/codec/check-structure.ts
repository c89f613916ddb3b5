import { isUtf8 } from 'node:buffer';
import { corrupt } from './corrupt.js';
import { Ext } from './ext-types.js';

const LAST_EXT = Math.max(...Object.values(Ext));

/**
 * Walks msgpack bytes once, allocating nothing, and throws `CorruptEntryError` unless they are exactly one
 * complete value made of what this codec writes: no `bin` (binaries are an extension), no extension type it
 * does not know, only valid UTF-8 in strings, no bytes after the value.
 *
 * It runs before msgpack's decoder because that decoder allocates each array at the length its header
 * claims: 50 bytes of nested headers claiming 16M elements each exhaust the heap. A per-decode length limit
 * is not enough (n nested headers each claiming n elements still ask for n² slots), so the walk counts the
 * elements announced and not yet read, each of which needs a byte of its own; once it passes, the decoder
 * allocates at most one slot per input byte. Extension payloads are checked when they are decoded.
 */
export function checkStructure(bytes: Uint8Array): void {
  const end = bytes.length;
  let pos = 0;
  let pending = 1;
  while (pending > 0) {
    if (pos >= end) corrupt(`it ends after ${end} bytes, in the middle of a value`);
    const head = bytes[pos++]!;
    pending--;
    if (head < 0x80 || head >= 0xe0) continue;
    if (head >= 0xa0 && head < 0xc0) {
      pos = skipString(bytes, pos, head & 0x1f);
      continue;
    }
    if (head < 0x90) {
      pending += (head & 0x0f) * 2;
      continue;
    }
    if (head < 0xa0) {
      pending += head & 0x0f;
      continue;
    }
    let size = 0;
    switch (head) {
      case 0xc0: case 0xc2: case 0xc3:
        continue;
      case 0xcc: case 0xd0:
        size = 1;
        break;
      case 0xcd: case 0xd1:
        size = 2;
        break;
      case 0xca: case 0xce: case 0xd2:
        size = 4;
        break;
      case 0xcb: case 0xcf: case 0xd3:
        size = 8;
        break;
      case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
        pos = skipExt(bytes, pos, 1 << (head - 0xd4));
        continue;
      case 0xc7: case 0xc8: case 0xc9: {
        const width = 1 << (head - 0xc7);
        pos = skipExt(bytes, pos + width, readLength(bytes, pos, width));
        continue;
      }
      case 0xd9: case 0xda: case 0xdb: {
        const width = 1 << (head - 0xd9);
        pos = skipString(bytes, pos + width, readLength(bytes, pos, width));
        continue;
      }
      case 0xdc: case 0xdd: {
        const width = 2 << (head - 0xdc);
        pending += readLength(bytes, pos, width);
        pos += width;
        break;
      }
      case 0xde: case 0xdf: {
        const width = 2 << (head - 0xde);
        pending += readLength(bytes, pos, width) * 2;
        pos += width;
        break;
      }
      default:
        corrupt(`byte 0x${head.toString(16)} at ${pos - 1} is not one this codec writes`);
    }
    if (pos + size > end) corrupt(`a value at ${pos - 1} runs past the end`);
    pos += size;
    if (pending > end - pos) corrupt(`${pending} elements are announced at ${pos} but only ${end - pos} bytes are left`);
  }
  if (pos !== end) corrupt(`${end - pos} bytes follow the value`);
}

/** The big-endian length of `width` bytes at `pos`. */
function readLength(bytes: Uint8Array, pos: number, width: number): number {
  if (pos + width > bytes.length) corrupt(`a length at ${pos} runs past the end`);
  let n = 0;
  for (let i = 0; i < width; i++) n = n * 256 + bytes[pos + i]!;
  return n;
}

function skipString(bytes: Uint8Array, pos: number, length: number): number {
  const end = pos + length;
  if (end > bytes.length) corrupt(`a string of ${length} bytes at ${pos} runs past the end`);
  for (let i = pos; i < end; i++) {
    // ASCII needs no check; from the first other byte on, node's validator is faster than a JS loop.
    if (bytes[i]! > 0x7f) {
      if (!isUtf8(bytes.subarray(i, end))) corrupt(`the string at ${pos} is not valid UTF-8`);
      break;
    }
  }
  return end;
}

/** Skips the type byte and `length` payload bytes of an extension value. */
function skipExt(bytes: Uint8Array, pos: number, length: number): number {
  if (pos + 1 + length > bytes.length) corrupt(`an extension value of ${length} bytes at ${pos} runs past the end`);
  const type = bytes[pos]!;
  if (type > LAST_EXT) corrupt(`it has unknown extension type ${(type << 24) >> 24}`);
  return pos + 1 + length;
}
