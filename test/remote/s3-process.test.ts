// The environment form (s3://bucket/prefix + AWS_* variables) in a child process that exits by itself.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { distUrl } from '../helpers/dist-s3.js';
import { killLeftovers, startNode } from '../helpers/node-child.js';
import { rawClient, useSharedSwift } from '../helpers/shared-swift.js';

const BUCKET = 'bs-blobs-env';
const swift = useSharedSwift(BUCKET);

afterAll(killLeftovers);

/** Stores one blob through each form and reads it back; prints the refs; never closes anything or calls exit. */
const SCRIPT = `
const { s3BlobsFromUrl } = await import(${JSON.stringify(distUrl('s3/index.js'))});
const blobs = s3BlobsFromUrl(process.argv[2]);
const a = new Uint8Array(5000).fill(1);
const b = new Uint8Array(7000).fill(2);
const refA = await blobs.putAsync(a);
const refB = blobs.put(b);
const same = (x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0;
console.log(JSON.stringify({ refA, refB, ok: same(await blobs.getAsync(refA), a) && same(blobs.get(refB), b) }));
`;

function script(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bs-s3-child-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'child.mjs');
  writeFileSync(file, SCRIPT);
  return file;
}

const ENV_CASES = [
  { variant: 'AWS_ENDPOINT_URL_S3 and AWS_REGION, on 127.0.0.1', env: (port: string) => ({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}`, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_REGION: 'us-east-1' }) },
  { variant: 'AWS_ENDPOINT_URL and AWS_DEFAULT_REGION, on localhost', env: (port: string) => ({ AWS_ENDPOINT_URL_S3: '', AWS_ENDPOINT_URL: `http://localhost:${port}`, AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' }) },
];

it.for(ENV_CASES)('s3BlobsFromUrl with $variant: both forms store and read, at the URL\'s prefix, and the process exits by itself', { timeout: 60_000 }, async ({ env }) => {
  const { credentials, endpoint } = swift();
  const prefix = `env/${randomUUID()}`;
  const child = startNode(script(), {
    args: [`s3://${BUCKET}/${prefix}/`],
    env: { ...env(new URL(endpoint).port), AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeoutMs: 45_000,
  });
  const result = await child.result;
  expect(result.timedOut, 'the child must end by itself').toBe(false);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const { refA, refB, ok } = JSON.parse(result.stdout) as { refA: string; refB: string; ok: boolean };
  expect(ok).toBe(true);
  const raw = rawClient(swift());
  for (const ref of [refA, refB]) {
    const head = await raw.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `${prefix}/${ref.slice(0, 2)}/${ref}` }));
    expect(head.ContentLength).toBeGreaterThan(0);
  }
  raw.destroy();
});

it('a wrong secret fails the put with an error that does not contain the secret, and the process still exits by itself', { timeout: 60_000 }, async () => {
  const { credentials, endpoint } = swift();
  const secret = `wrong-${randomUUID()}`;
  const child = startNode(script(), {
    args: [`s3://${BUCKET}/env-wrong`],
    env: { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: secret, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    timeoutMs: 45_000,
  });
  const result = await child.result;
  expect(result.timedOut).toBe(false);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/\[beautyspot\] blob [0-9a-f]{64} \(5000 bytes\) cannot be stored at s3:\/\/bs-blobs-env\/env-wrong\//);
  expect(result.stderr).not.toContain(secret);
});
