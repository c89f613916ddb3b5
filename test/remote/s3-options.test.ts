// S3Blobs' options and the s3:// URL: checked at construction, before anything loads or connects.
import { execFileSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { clientConfig } from '../../runtime/s3/s3-client.js';
import { resolveS3Options } from '../../runtime/s3/s3-options.js';
import { S3Blobs, s3BlobsFromUrl } from '../../runtime/s3/index.js';
import { distUrl } from '../helpers/dist-s3.js';

it('misspelled, missing or malformed options are errors that say what to write', () => {
  expect(() => new S3Blobs({ bucket: 'ok-bucket', prefx: 'x' } as never)).toThrow('[beautyspot] Unknown S3Blobs option "prefx" (did you mean "prefix"?)');
  expect(() => new S3Blobs({} as never)).toThrow(/option "bucket" must be an S3 bucket name .* got undefined/);
  expect(() => new S3Blobs({ bucket: 'No_Such' })).toThrow(/must be an S3 bucket name/);
  expect(() => new S3Blobs({ bucket: 'ok-bucket', prefix: 'a/' })).toThrow(/"prefix" must be a non-empty key prefix without leading or trailing "\/"/);
  expect(() => new S3Blobs({ bucket: 'ok-bucket', multipartThreshold: 0 })).toThrow(RangeError);
  expect(() => new S3Blobs({ bucket: 'ok-bucket', timeoutMs: '5s' as never })).toThrow(TypeError);
});

it('s3BlobsFromUrl accepts s3://bucket/prefix only', () => {
  for (const url of ['https://bucket/x', 's3:///x', 's3://bucket:9000/x', 's3://bucket/x?y=1', 'bucket/x']) {
    expect(() => s3BlobsFromUrl(url), url).toThrow(/is not an S3 blob location: write s3:\/\/<bucket>\/<key prefix>/);
  }
  expect(s3BlobsFromUrl('s3://my-cache')).toBeInstanceOf(S3Blobs);
});

it('client defaults: checksums only when required, path style for IP and localhost endpoints, the user\'s settings win', () => {
  const config = (client: object) => clientConfig(resolveS3Options({ bucket: 'ok-bucket', client }));
  expect(config({})).toMatchObject({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', forcePathStyle: false });
  for (const endpoint of ['http://127.0.0.1:9000', 'http://localhost:9000', 'http://[::1]:9000', 'http://minio.localhost']) {
    expect(config({ endpoint }).forcePathStyle, endpoint).toBe(true);
  }
  expect(config({ endpoint: 'https://s3.example.com' }).forcePathStyle).toBe(false);
  expect(config({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: false }).forcePathStyle).toBe(false);
});

it('importing beautyspot/s3 and constructing a store loads no AWS SDK module (it loads on first use)', () => {
  const script = `const { S3Blobs } = await import(${JSON.stringify(distUrl('s3/index.js'))});
new S3Blobs({ bucket: 'ok-bucket' });
const { createRequire } = await import('node:module');
console.log(Object.keys(createRequire(import.meta.url).cache).filter(k => k.includes('@aws-sdk')).length);`;
  expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('0');
});
