import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { entryChecksum } from '../../runtime/store/checksum.js';
import { crc32Bytes, crc32Text } from '../../runtime/store/crc32.js';

const texts = ['', 'a', 'A'.repeat(43), 'abc\n1\n1700000000123.5', 'héllo', 'x😀y', 'lone \ud800 high', 'lone \udc00 low', '\ufeffbom', 'é'];

describe('CRC-32 in JavaScript', () => {
  it('is zlib.crc32 for texts (ASCII, accents, astral, lone surrogates) and byte ranges, from any seed', () => {
    for (const text of texts) {
      for (const seed of [0, 1, 0xffffffff, 0x12345678]) expect(crc32Text(text, seed), JSON.stringify(text)).toBe(crc32(text, seed));
    }
    const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (const [start, end] of [[0, 0], [0, 300], [2, 26], [17, 18], [100, 299]] as const) {
      expect(crc32Bytes(bytes, start, end, 99)).toBe(crc32(bytes.subarray(start, end), 99));
    }
  });

  it('gives the entry checksum its stored definition: crc32(value, crc32("key\\nflags\\nexpiresAt"))', () => {
    const value = Buffer.from('some value bytes');
    for (const key of ['K'.repeat(43), 'clé']) {
      for (const expiresAt of [null, 1_700_000_000_123, 0.5]) {
        for (const content of [value, 'f'.repeat(64)]) {
          expect(entryChecksum(key, 3, expiresAt, content)).toBe(crc32(content, crc32(`${key}\n3\n${expiresAt ?? ''}`)));
        }
      }
    }
  });
});
