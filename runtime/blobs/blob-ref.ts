import { hash } from 'node:crypto';

const REF = /^[0-9a-f]{64}$/;

/** A blob's reference, the same in every blob store: the SHA-256 of its bytes, in hex. */
export function blobRef(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

export function isBlobRef(ref: string): boolean {
  return REF.test(ref);
}
