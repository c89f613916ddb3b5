import { hash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { FsBlobs } from '../../runtime/blobs/fs-blobs.js';
import { CorruptEntryError } from '../../runtime/errors.js';
import { withLocalBlobFallback } from '../../runtime/remote/local-fallback.js';
import { tempDir } from '../helpers/temp-spot.js';
import { thrown } from '../helpers/thrown.js';
import { switchableBlobs, type Switch } from './switchable.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text.repeat(1000));
const refOf = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');

function setup(async = false) {
  const dir = tempDir();
  const remote = new FsBlobs(join(dir, 'remote'));
  const local = new FsBlobs(join(dir, 'local'));
  const power: Switch = { up: true, calls: 0 };
  const reports: Error[] = [];
  const blobs = withLocalBlobFallback(switchableBlobs(remote, power, { async }), () => local, error => reports.push(error as Error), { retryMs: 0 });
  return { blobs, remote, local, power, reports };
}

const has = (store: BlobStore, ref: string): boolean => [...store.list()].some(blob => blob.ref === ref);

function forms(blobs: BlobStore, async: boolean) {
  return async
    ? { get: (ref: string) => blobs.getAsync!(ref), put: (bytes: Uint8Array) => blobs.putAsync!(bytes) }
    : { get: async (ref: string) => blobs.get(ref), put: async (bytes: Uint8Array) => blobs.put(bytes) };
}

for (const async of [false, true]) {
  describe(async ? 'async forms' : 'sync forms', () => {
    const copied = (check: () => void) => (async ? vi.waitFor(check, { timeout: 5000 }) : check());

    it('an outage: a blob keeps its content address locally, is served from there, and moves up once the remote answers', async () => {
      const s = setup(async);
      const { get, put } = forms(s.blobs, async);
      const bytes = bytesOf('outage');
      s.power.up = false;
      const ref = await put(bytes);
      expect(ref).toBe(refOf(bytes));
      expect(Buffer.from(await get(ref))).toEqual(Buffer.from(bytes));
      await put(bytesOf('second'));
      expect(s.reports).toHaveLength(1);
      expect(s.reports[0]!.message).toMatch(/^\[beautyspot\] the remote blob store cannot be reached \(connect ECONNREFUSED/);
      expect(has(s.remote, ref)).toBe(false);
      s.power.up = true;
      await put(bytesOf('after'));
      await copied(() => {
        expect(Buffer.from(s.remote.get(ref))).toEqual(Buffer.from(bytes));
        expect(Buffer.from(s.remote.get(refOf(bytesOf('second'))))).toEqual(Buffer.from(bytesOf('second')));
        expect(has(s.local, ref)).toBe(false);
      });
    });

    it('a blob missing on the remote is served from the local copy and moved up', async () => {
      const s = setup(async);
      const { get } = forms(s.blobs, async);
      const bytes = bytesOf('earlier run');
      const ref = s.local.put(bytes);
      expect(Buffer.from(await get(ref))).toEqual(Buffer.from(bytes));
      await copied(() => {
        expect(Buffer.from(s.remote.get(ref))).toEqual(Buffer.from(bytes));
        expect(has(s.local, ref)).toBe(false);
      });
      expect(s.reports).toHaveLength(0);
    });

    it('a damaged remote blob is served from the local copy (checked against the same hash) and repaired', async () => {
      const s = setup(async);
      const { get } = forms(s.blobs, async);
      const bytes = bytesOf('damaged');
      const ref = s.remote.put(bytes);
      s.local.put(bytes);
      writeFileSync(join(s.remote.dir, ref.slice(0, 2), ref), Buffer.from(bytes).fill(0x41, 0, 10));
      expect(Buffer.from(await get(ref))).toEqual(Buffer.from(bytes));
      await copied(() => expect(Buffer.from(s.remote.get(ref))).toEqual(Buffer.from(bytes)));
    });

    it('a blob neither has is CorruptEntryError, a miss', async () => {
      const s = setup(async);
      const { get } = forms(s.blobs, async);
      await expect(get('c'.repeat(64))).rejects.toBeInstanceOf(CorruptEntryError);
      s.power.up = false;
      await expect(get('c'.repeat(64))).rejects.toBeInstanceOf(CorruptEntryError);
    });
  });
}

describe('the blob wrapper', () => {
  it('has the async forms only when the remote has them', () => {
    expect(setup().blobs.getAsync).toBeUndefined();
    expect(setup(true).blobs.putAsync).toBeTypeOf('function');
  });

  it('delete reaches both copies; list is the remote\'s', () => {
    const s = setup();
    const bytes = bytesOf('both');
    const ref = s.remote.put(bytes);
    s.local.put(bytes);
    s.local.put(bytesOf('local only'));
    expect([...s.blobs.list()].map(b => b.ref)).toEqual([ref]);
    s.blobs.delete(ref);
    expect(has(s.remote, ref)).toBe(false);
    expect(has(s.local, ref)).toBe(false);
    expect(thrown(CorruptEntryError, () => s.blobs.get(ref)).message).toMatch(/cannot be read/);
  });
});
