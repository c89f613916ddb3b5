import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FsBlobs, type Spot } from '../../runtime/index.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function blobFile(spot: Spot, ref: string): string {
  return join(spot.dir, `${spot.name}.blobs`, ref.slice(0, 2), ref);
}

/** A marked function whose every result is a blob, counting its runs. */
function blobFn(spot: Spot): { f: (n: number) => string; runs: () => number } {
  let runs = 0;
  return { f: spot.mark(function page(n: number) { return (runs++, `page ${n} `.repeat(200)); }, { blob: true }), runs: () => runs };
}

describe('blob files', () => {
  it('gc removes temp files of killed writers older than the grace period, and keeps younger ones', () => {
    const spot = tempSpot();
    const { f } = blobFn(spot);
    f(1);
    const ref = spot.entries()[0]!.blob!;
    const shard = join(spot.dir, `${spot.name}.blobs`, ref.slice(0, 2));
    const old = join(shard, `${ref}.4242.k3j2h1.tmp`);
    const young = join(shard, `${'0'.repeat(64)}.4243.abc.tmp`);
    writeFileSync(old, 'half a blob');
    writeFileSync(young, 'being written');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(old, twoHoursAgo, twoHoursAgo);

    const result = spot.gc();
    expect(readdirSync(shard).sort()).toEqual([ref, `${'0'.repeat(64)}.4243.abc.tmp`].sort());
    expect(result.blobsDeleted).toBe(1);
    expect(f(1)).toBe('page 1 '.repeat(200));
  });

  it('a blob path replaced by a directory is a miss once, then repaired: the next call hits', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const spot = tempSpot();
    const { f, runs } = blobFn(spot);
    f(2);
    const file = blobFile(spot, spot.entries()[0]!.blob!);
    rmSync(file);
    mkdirSync(join(file, 'inside'), { recursive: true });

    expect(f(2)).toBe('page 2 '.repeat(200));
    expect(runs()).toBe(2);
    expect(readFileSync(file, 'utf8')).toContain('page 2');
    expect(f(2)).toBe('page 2 '.repeat(200));
    expect(runs()).toBe(2);
  });

  it('a blob verified once is verified again when its file changes, even to bytes of the same length', () => {
    const dir = tempDir();
    const blobs = new FsBlobs(dir);
    const bytes = Buffer.from('the original bytes of a blob');
    const ref = blobs.put(bytes);
    expect(Buffer.from(blobs.get(ref)).equals(bytes)).toBe(true);
    const file = join(dir, ref.slice(0, 2), ref);
    writeFileSync(file, Buffer.from('THE original bytes of a blob'));
    expect(() => blobs.get(ref)).toThrow(/does not match its hash/);
    // The damaged file was removed, so putting the bytes again restores the blob.
    expect(blobs.put(bytes)).toBe(ref);
    expect(Buffer.from(blobs.get(ref)).equals(bytes)).toBe(true);
  });

  it('a blob file of the wrong size is replaced when the same bytes are put again', () => {
    const dir = tempDir();
    const blobs = new FsBlobs(dir);
    const bytes = Buffer.from('x'.repeat(1000));
    const ref = blobs.put(bytes);
    const file = join(dir, ref.slice(0, 2), ref);
    writeFileSync(file, bytes.subarray(0, 10));
    blobs.put(bytes);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });
});
