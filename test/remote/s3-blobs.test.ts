// S3Blobs' async forms (the main-thread client) against a real S3-compatible server (Swift + s3api).
import { hash, randomUUID } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, expect, it } from 'vitest';
import { CorruptEntryError } from '../../runtime/errors.js';
import { S3Blobs, type S3BlobsOptions } from '../../runtime/s3/index.js';
import { rawClient, swiftClient, useSharedSwift } from '../helpers/shared-swift.js';

const BUCKET = 'bs-blobs-async';
const swift = useSharedSwift(BUCKET);
const stores: S3Blobs[] = [];

afterAll(() => {
  for (const store of stores) store.close();
});

/** A store under a fresh prefix; `requests` collects "METHOD path?query" of every request it sends. */
function store(options: Partial<S3BlobsOptions> = {}): { blobs: S3Blobs; prefix: string; requests: string[] } {
  const requests: string[] = [];
  const counting = new (class extends NodeHttpHandler {
    override handle(...[request, handlerOptions]: Parameters<NodeHttpHandler['handle']>) {
      requests.push(`${request.method} ${request.path}${Object.keys(request.query ?? {}).length ? `?${Object.keys(request.query).sort().join('&')}` : ''}`);
      return super.handle(request, handlerOptions);
    }
  })();
  const prefix = `t-${randomUUID()}`;
  const blobs = new S3Blobs({ bucket: BUCKET, prefix, client: swiftClient(swift(), { requestHandler: counting }), ...options });
  stores.push(blobs);
  return { blobs, prefix, requests };
}

const sha256 = (bytes: Uint8Array): string => hash('sha256', bytes, 'hex');
const bytesOf = (size: number, seed: number): Uint8Array => Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

it('putAsync stores the bytes under <prefix>/<first two hex>/<sha256>, and getAsync gives them back', async () => {
  const { blobs, prefix } = store();
  const bytes = bytesOf(10_000, 1);
  const ref = await blobs.putAsync(bytes);
  expect(ref).toBe(sha256(bytes));
  const raw = rawClient(swift());
  const head = await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${ref.slice(0, 2)}/${ref}` }));
  raw.destroy();
  expect(head.ContentLength).toBe(bytes.length);
  expect(Buffer.compare(await blobs.getAsync(ref), bytes)).toBe(0);
});

it('a blob above the multipart threshold goes up in parts and comes back whole', async () => {
  const { blobs, requests, prefix } = store({ multipartThreshold: 1024 * 1024 });
  // S3 parts are at least 5 MiB, so this is two parts: 5 MiB and the rest
  const bytes = bytesOf(5 * 1024 * 1024 + 12_345, 2);
  const ref = await blobs.putAsync(bytes);
  const parts = requests.filter(r => r.startsWith('PUT') && r.includes('partNumber'));
  expect(parts).toHaveLength(2);
  expect(requests.filter(r => r.startsWith('POST') && r.includes('uploadId'))).toHaveLength(1); // the Complete
  const raw = rawClient(swift());
  const head = await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${ref.slice(0, 2)}/${ref}` }));
  raw.destroy();
  expect(head.ETag).toMatch(/-2"$/);
  expect(Buffer.compare(await blobs.getAsync(ref), bytes)).toBe(0);
});

it('bytes already stored are never uploaded again: one HEAD, no PUT', async () => {
  const { blobs, requests } = store({ multipartThreshold: 1024 * 1024 });
  const small = bytesOf(1000, 3);
  const large = bytesOf(5 * 1024 * 1024 + 1, 4);
  await blobs.putAsync(small);
  await blobs.putAsync(large);
  requests.length = 0;
  expect(await blobs.putAsync(small)).toBe(sha256(small));
  expect(await blobs.putAsync(large)).toBe(sha256(large));
  expect(requests.map(r => r.split(' ')[0])).toEqual(['HEAD', 'HEAD']);
});

it('an object replaced by other bytes of the same size is a CorruptEntryError, is removed, and the next put stores it again', async () => {
  const { blobs, prefix } = store();
  const bytes = bytesOf(4096, 5);
  const ref = await blobs.putAsync(bytes);
  const Key = `${prefix}/${ref.slice(0, 2)}/${ref}`;
  const damaged = Uint8Array.from(bytes);
  damaged[100] ^= 0x01;
  const raw = rawClient(swift());
  await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: damaged }));
  await expect(blobs.getAsync(ref)).rejects.toThrow(CorruptEntryError);
  await expect(raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key }))).rejects.toMatchObject({ name: 'NotFound' });
  await blobs.putAsync(bytes);
  const stored = await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
  expect(Buffer.compare(await stored.Body!.transformToByteArray(), bytes)).toBe(0);
  raw.destroy();
});

it('a truncated object is a CorruptEntryError, and put replaces an object of the wrong size', async () => {
  const { blobs, prefix, requests } = store();
  const bytes = bytesOf(4096, 6);
  const ref = await blobs.putAsync(bytes);
  const Key = `${prefix}/${ref.slice(0, 2)}/${ref}`;
  const raw = rawClient(swift());
  await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: bytes.subarray(0, 1000) }));
  requests.length = 0;
  await blobs.putAsync(bytes);
  expect(requests.map(r => r.split(' ')[0])).toEqual(['HEAD', 'PUT']);
  expect(Buffer.compare(await blobs.getAsync(ref), bytes)).toBe(0);
  await raw.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: bytes.subarray(0, 1000) }));
  raw.destroy();
  await expect(blobs.getAsync(ref)).rejects.toThrow(/does not match its hash/);
});

it('a missing object, or a reference that is no SHA-256 digest, is a CorruptEntryError', async () => {
  const { blobs, prefix } = store();
  const ref = await blobs.putAsync(bytesOf(100, 7));
  const raw = rawClient(swift());
  await raw.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${ref.slice(0, 2)}/${ref}` }));
  raw.destroy();
  await expect(blobs.getAsync(ref)).rejects.toThrow(CorruptEntryError);
  await expect(blobs.getAsync(ref)).rejects.toThrow(/is missing from s3:\/\/bs-blobs-async\//);
  await expect(blobs.getAsync('../etc/passwd')).rejects.toThrow(CorruptEntryError);
});
