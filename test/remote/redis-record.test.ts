import { describe, expect, it } from 'vitest';
import { CorruptEntryError } from '../../runtime/errors.js';
import { decodeRecord, encodeRecord } from '../../runtime/redis/record.js';
import { EntryFlag, type EntryRecord } from '../../runtime/store/store.js';

const entry = (over: Partial<EntryRecord> = {}): EntryRecord => ({
  key: 'K'.repeat(43), fn: 'f', size: 3, args: [], tags: [], createdAt: 1_700_000_000_123, expiresAt: null, computeMs: 12.5,
  flags: EntryFlag.async, value: new Uint8Array([7, 8, 9]), blob: null, ...over,
});

describe('the Redis entry record', () => {
  it('round-trips inline and blob entries, expiry included', () => {
    const inline = decodeRecord('K'.repeat(43), encodeRecord(entry({ expiresAt: 1_700_000_060_000 })));
    expect(inline).toEqual({ id: 0, createdAt: 1_700_000_000_123, value: Buffer.from([7, 8, 9]), blob: null,
      expiresAt: 1_700_000_060_000, computeMs: 12.5, flags: EntryFlag.async });
    const blob = decodeRecord('K'.repeat(43), encodeRecord(entry({ value: null, blob: 'ab'.repeat(32) })));
    expect(blob.value).toBeNull();
    expect(blob.blob).toBe('ab'.repeat(32));
    expect(blob.flags).toBe(EntryFlag.async | EntryFlag.blob);
  });

  it('throws CorruptEntryError for any flipped byte, a truncation or another key', () => {
    const bytes = encodeRecord(entry());
    for (let i = 0; i < bytes.length; i++) {
      const damaged = Buffer.from(bytes);
      damaged[i]! ^= 0x10;
      expect(() => decodeRecord('K'.repeat(43), damaged), `byte ${i}`).toThrow(CorruptEntryError);
    }
    expect(() => decodeRecord('K'.repeat(43), bytes.subarray(0, 20))).toThrow(CorruptEntryError);
    expect(() => decodeRecord('L'.repeat(43), bytes)).toThrow(CorruptEntryError);
  });
});
