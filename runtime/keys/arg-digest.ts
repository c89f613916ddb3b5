import { hash } from 'node:crypto';
import { Tag } from './tags.js';

/**
 * The digest stored for one argument's key bytes, so a miss can be explained later: 16 hex digits of their SHA-256;
 * for a `FilePath` / `DirPath` argument, the path part and the content part apart (`<path>/<content>`, 8 hex each),
 * so `beautyspot why` can tell "another path" from "the content differs".
 */
export function argDigest(bytes: Buffer): string {
  if ((bytes[0] === Tag.file || bytes[0] === Tag.dir) && bytes.length >= 5) {
    const pathEnd = 5 + bytes.readUInt32LE(1);
    return `${shortHash(bytes.subarray(0, pathEnd), 8)}/${shortHash(bytes.subarray(pathEnd), 8)}`;
  }
  return shortHash(bytes, 16);
}

function shortHash(bytes: Buffer, digits: number): string {
  return hash('sha256', bytes, 'hex').slice(0, digits);
}
