// S3Blobs' sync forms, which run the client in a worker thread behind the SyncBridge (built package: see dist-s3.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbortMultipartUploadCommand, CreateMultipartUploadCommand, ListMultipartUploadsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { S3Blobs, Spot, type DistS3Blobs } from '../helpers/dist-s3.js';
import { rawClient, swiftClient, useSharedSwift } from '../helpers/shared-swift.js';


const BUCKET = 'bs-blobs-sync';
const swift = useSharedSwift(BUCKET);
const stores: DistS3Blobs[] = [];

afterAll(() => {
  for (const store of stores) store.close();
});

function store(): { blobs: DistS3Blobs; prefix: string } {
  const prefix = `t-${randomUUID()}`;
  const blobs = new S3Blobs({ bucket: BUCKET, prefix, client: swiftClient(swift()) });
  stores.push(blobs);
  return { blobs, prefix };
}

const bytesOf = (size: number, seed: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);

it('put, get, list and delete work synchronously, and agree with the async forms', async () => {
  const { blobs } = store();
  const refs = [bytesOf(10, 1), bytesOf(20_000, 2), bytesOf(300, 3)].map(bytes => blobs.put(bytes));
  expect(Buffer.compare(blobs.get(refs[1]!), bytesOf(20_000, 2))).toBe(0);
  expect(Buffer.compare(await blobs.getAsync(refs[0]!), bytesOf(10, 1))).toBe(0);
  const listed = [...blobs.list()];
  expect(listed.map(b => b.ref).sort()).toEqual([...refs].sort());
  for (const { mtimeMs } of listed) expect(Math.abs(mtimeMs - Date.now())).toBeLessThan(10 * 60_000);
  blobs.delete(refs[1]!);
  expect([...blobs.list()].map(b => b.ref).sort()).toEqual([refs[0], refs[2]].sort());
  expect(() => blobs.get(refs[1]!)).toThrow(expect.objectContaining({ name: 'CorruptEntryError' }));
});

it('list ignores objects under the prefix that are no blobs', async () => {
  const { blobs, prefix } = store();
  const ref = blobs.put(bytesOf(50, 4));
  const raw = rawClient(swift());
  await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/notes.txt`, Body: 'x' }));
  await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${prefix}/00/${ref}`, Body: 'misplaced' }));
  raw.destroy();
  expect([...blobs.list()].map(b => b.ref)).toEqual([ref]);
});

it('removeAbandoned aborts the multipart uploads a killed writer left, and only the old ones', async () => {
  const { blobs, prefix } = store();
  const raw = rawClient(swift());
  const started = await raw.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${prefix}/ab/${'ab'.repeat(32)}` }));
  const uploads = async (): Promise<number> =>
    (await raw.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${prefix}/` }))).Uploads?.length ?? 0;
  expect(await uploads()).toBe(1);
  expect(blobs.removeAbandoned(Date.now() - 3_600_000)).toBe(0);
  expect(await uploads()).toBe(1);
  expect(blobs.removeAbandoned(Date.now() + 60_000)).toBe(1);
  expect(await uploads()).toBe(0);
  await raw.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: started.Key, UploadId: started.UploadId })).catch(() => undefined);
  raw.destroy();
});

it('a spot with S3 blobs serves a sync marked function\'s blob values from S3, and gc removes orphans there', () => {
  const { blobs } = store();
  const dir = mkdtempSync(join(tmpdir(), 'bs-s3-spot-'));
  const spot = new Spot('s3', { dir, blobs });
  onTestFinished(() => {
    spot.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let runs = 0;
  const render = spot.mark(function render(page: number): Uint8Array {
    runs++;
    return bytesOf(100_000, page);
  }, { blob: true });
  expect(Buffer.compare(render(1), bytesOf(100_000, 1))).toBe(0);
  expect(Buffer.compare(render(1), bytesOf(100_000, 1))).toBe(0);
  expect(runs).toBe(1);
  expect(spot.session.hits).toBe(1);
  const orphan = blobs.put(bytesOf(10, 9));
  spot.clear();
  expect(spot.gc({ orphanGraceMs: -60_000 }).blobsDeleted).toBeGreaterThanOrEqual(1);
  expect([...blobs.list()].map(b => b.ref)).not.toContain(orphan);
});
