import { CorruptEntryError } from '../errors.js';
import { entryChecksum } from '../store/checksum.js';
import { crc32Bytes } from '../store/crc32.js';
import { EntryFlag, type EntryRecord, type StoredValue } from '../store/store.js';

/**
 * The bytes of one entry under `<prefix>e:{<key>}`: what a hit needs, in one GET. Little-endian:
 *
 * ```
 * u8 version (1) | u8 flags | f64 createdAt | f64 expiresAt (NaN = never) | f64 computeMs | u32 checksum
 * | u16 refLength | ref (ASCII, the blob reference; empty when inline) | value bytes (empty for a blob entry)
 * ```
 * The checksum is `entryChecksum(key, flags, expiresAt, value or ref)`, seeded with the key looked up (so a
 * record under another key's name is damage too), continued over the header's three numbers (bytes 2–25), so a
 * damaged creation or compute time is caught as well.
 */
const VERSION = 1;
const HEADER = 32;

/** The stored flags of an entry: the blob bit follows where the value is. */
export function storedFlags(entry: Pick<EntryRecord, 'flags' | 'blob'>): number {
  return entry.blob === null ? entry.flags & ~EntryFlag.blob : entry.flags | EntryFlag.blob;
}

export function encodeRecord(entry: EntryRecord): Buffer {
  const flags = storedFlags(entry);
  const ref = entry.blob === null ? '' : entry.blob;
  const value = entry.blob === null ? (entry.value ?? new Uint8Array(0)) : new Uint8Array(0);
  const refLength = Buffer.byteLength(ref, 'latin1');
  const bytes = Buffer.allocUnsafe(HEADER + refLength + value.length);
  bytes.writeUInt8(VERSION, 0);
  bytes.writeUInt8(flags, 1);
  bytes.writeDoubleLE(entry.createdAt, 2);
  bytes.writeDoubleLE(entry.expiresAt ?? NaN, 10);
  bytes.writeDoubleLE(entry.computeMs, 18);
  bytes.writeUInt16LE(refLength, 30);
  bytes.writeUInt32LE(checksum(bytes, entryChecksum(entry.key, flags, entry.expiresAt, entry.blob ?? value)), 26);
  bytes.write(ref, HEADER, 'latin1');
  bytes.set(value, HEADER + refLength);
  return bytes;
}

/** The entry stored under `key`, verified; damage of any kind throws `CorruptEntryError` (the caller's miss). */
export function decodeRecord(key: string, bytes: Buffer): StoredValue {
  if (!Buffer.isBuffer(bytes) || bytes.length < HEADER || bytes[0] !== VERSION) throw damaged(key);
  const flags = bytes[1]!;
  const createdAt = bytes.readDoubleLE(2);
  const expiry = bytes.readDoubleLE(10);
  const computeMs = bytes.readDoubleLE(18);
  const refLength = bytes.readUInt16LE(30);
  const isBlob = (flags & EntryFlag.blob) !== 0;
  if (HEADER + refLength > bytes.length || isBlob !== (refLength > 0) || (isBlob && bytes.length !== HEADER + refLength)) throw damaged(key);
  const blob = isBlob ? bytes.toString('latin1', HEADER, HEADER + refLength) : null;
  const value = isBlob ? null : bytes.subarray(HEADER);
  const expiresAt = Number.isNaN(expiry) ? null : expiry;
  if (checksum(bytes, entryChecksum(key, flags, expiresAt, blob ?? value!)) !== bytes.readUInt32LE(26)) throw damaged(key);
  return { id: 0, createdAt, value, blob, expiresAt, computeMs, flags };
}

function checksum(record: Buffer, entry: number): number {
  return crc32Bytes(record, 2, 26, entry);
}

function damaged(key: string): CorruptEntryError {
  return new CorruptEntryError(`[beautyspot] the Redis entry of key ${key} is malformed or does not match its checksum`);
}
