import { crc32 } from 'node:zlib';

/**
 * The integrity check stored with each entry: CRC-32 over the key, the flags, the expiry and the value bytes
 * (or the blob reference). It binds the value to its row, so a flipped byte, a torn page or a value that
 * landed in another row is a miss, never a wrong result. Not a defence against someone who can write the
 * store (they could write a matching checksum): keys are the cryptographic part; blobs are content-addressed.
 */
export function entryChecksum(key: string, flags: number, expiresAt: number | null, value: Uint8Array | string): number {
  return crc32(value, crc32(`${key}\n${flags}\n${expiresAt ?? ''}`));
}
