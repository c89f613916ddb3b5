import { CreateBucketCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { beforeAll, beforeEach, inject } from 'vitest';

export interface SwiftEndpoint {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  startMs: number;
}

/**
 * The Swift all S3 test files share (test/setup/swift.ts starts it on the first ask), or why there is none.
 * Without Swift a test fails when CI is set (CI runs every S3 test), else it is skipped, saying why.
 */
export async function sharedSwift(): Promise<SwiftEndpoint | { missing: string }> {
  const body = await (await fetch(inject('swiftLauncher'))).json() as SwiftEndpoint | { missing: string } | { error: string };
  if ('error' in body) throw new Error(`[s3 tests] Swift did not start: ${body.error}`);
  if ('missing' in body && process.env.CI) throw new Error(`[s3 tests] these tests need Swift, and ${body.missing} (CI runs every S3 test)`);
  if ('missing' in body) console.log(`s3 tests: skipped, ${body.missing}`);
  return body;
}

/** Client settings for the shared Swift (plain data, so they also cross into the sync bridge's worker). */
export function swiftClient(swift: SwiftEndpoint, extra: S3ClientConfig = {}): S3ClientConfig {
  return { endpoint: swift.endpoint, region: swift.region, credentials: swift.credentials, ...extra };
}

/** A raw SDK client on the shared Swift, for looking at and damaging what the blob store wrote. */
export function rawClient(swift: SwiftEndpoint): S3Client {
  return new S3Client({ ...swiftClient(swift), forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
}

export async function createBucket(swift: SwiftEndpoint, name: string): Promise<void> {
  const client = rawClient(swift);
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
  } finally {
    client.destroy();
  }
}

/** For a test file: the shared Swift with `bucket` created (tests are skipped, or fail under CI, without it). */
export function useSharedSwift(bucket: string): () => SwiftEndpoint {
  let swift: SwiftEndpoint | undefined;
  let missing: string | undefined;
  beforeAll(async () => {
    const found = await sharedSwift();
    if ('missing' in found) missing = found.missing;
    else {
      swift = found;
      await createBucket(found, bucket);
    }
  }, 120_000);
  beforeEach(ctx => {
    if (missing !== undefined) ctx.skip(missing);
  });
  return () => swift!;
}
