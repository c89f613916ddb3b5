import { crc32 } from 'node:zlib';
import { crc32Text } from './crc32.js';

/**
 * The integrity check stored with each entry: CRC-32 over the key, the flags, the expiry and the value bytes
 * (or the blob reference). It binds the value to its row, so a flipped byte, a torn page or a value that
 * landed in another row is a miss, never a wrong result. Not a defence against someone who can write the
 * store (they could write a matching checksum): keys are the cryptographic part; blobs are content-addressed.
 *
 * The same bytes as `crc32(value, crc32(`${key}\n${flags}\n${expiresAt ?? ''}`))`, the seed folded piece by
 * piece without building the string.
 */
export function entryChecksum(key: string, flags: number, expiresAt: number | null, value: Uint8Array | string): number {
  let seed = crc32Text(key);
  seed = crc32Text(`\n${flags}\n`, seed);
  if (expiresAt !== null) seed = crc32Text(String(expiresAt), seed);
  return crc32(value, seed);
}

/** A row's columns as SQLite returns them, checked against their checksum (columns of any type: damage can put any). */
export function intactRow(key: string, flags: number, expiresAt: number | null, value: unknown, blob: unknown, checksum: unknown): boolean {
  const content = (value ?? blob) as Uint8Array | string | null;
  return content !== null && typeof checksum === 'number' &&
    (value === null || Buffer.isBuffer(value)) && (blob === null || typeof blob === 'string') &&
    entryChecksum(key, flags, expiresAt, content) === checksum;
}
