import { blobRef, isBlobRef } from '../blobs/blob-ref.js';
import { messageOf } from '../errors.js';
import { createS3Client, loadS3Sdk } from './s3-client.js';
import { resolveS3Options, type S3BlobsOptions } from './s3-options.js';

/** What a read found: the verified bytes, or why there are none to trust (missing or damaged: a miss). */
export type S3Read = { bytes: Uint8Array } | { corrupt: string };

export interface S3ListPage {
  blobs: { ref: string; mtimeMs: number }[];
  /** The continuation token of the next page; undefined on the last. */
  next: string | undefined;
}

export interface UploadsMarker {
  KeyMarker: string | undefined;
  UploadIdMarker: string | undefined;
}

export interface S3UploadsPage {
  uploads: { key: string; uploadId: string; initiatedMs: number }[];
  next: UploadsMarker | undefined;
}

/**
 * The S3 blob store's work, async, on one client. Its inputs and outputs are plain data, so the same object
 * serves the main thread (S3Blobs' async forms) and the worker behind the sync bridge (`createS3Core`).
 */
export interface S3Core {
  put(bytes: Uint8Array): Promise<string>;
  read(ref: string): Promise<S3Read>;
  delete(ref: string): Promise<void>;
  listPage(token: string | undefined): Promise<S3ListPage>;
  /** One page of the multipart uploads under the prefix that were started and never completed or aborted. */
  uploadsPage(marker: UploadsMarker | undefined): Promise<S3UploadsPage>;
  abortUpload(key: string, uploadId: string): Promise<void>;
  close(): void;
}

const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const PARTS_IN_FLIGHT = 4;

/** How a blob is uploaded in parts: S3 refuses parts below 5 MiB (all but the last) and more than 10,000 of them. */
export function partPlan(size: number, multipartThreshold: number): { partBytes: number; count: number } {
  const partBytes = Math.max(multipartThreshold, MIN_PART_BYTES, Math.ceil(size / MAX_PARTS));
  return { partBytes, count: Math.ceil(size / partBytes) };
}

/** Requests a put makes one after another, at most (for the sync bridge's bound). */
export function putRounds(size: number, multipartThreshold: number): number {
  // HEAD, then one PUT; or create, each part uploader's parts in turn, complete, and an abort if that fails
  return size > multipartThreshold ? 4 + Math.ceil(partPlan(size, multipartThreshold).count / PARTS_IN_FLIGHT) : 2;
}

export function createS3Core(options: S3BlobsOptions): S3Core {
  const o = resolveS3Options(options);
  const sdk = loadS3Sdk();
  const client = createS3Client(o);
  const Bucket = o.bucket;
  const keyOf = (ref: string): string => `${o.prefix}/${ref.slice(0, 2)}/${ref}`;
  const where = (ref: string): string => `s3://${Bucket}/${keyOf(ref)}`;
  // Every request is bounded as a whole (connect, retries, body): a server that stops answering is a failure.
  const bounded = (): { abortSignal: AbortSignal } => ({ abortSignal: AbortSignal.timeout(o.timeoutMs) });

  async function storedSize(Key: string): Promise<number | undefined> {
    try {
      return (await client.send(new sdk.HeadObjectCommand({ Bucket, Key }), bounded())).ContentLength;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Parts become an object only on Complete, so a failed upload is never visible; it is aborted, or collected later. */
  async function uploadParts(Key: string, bytes: Uint8Array): Promise<void> {
    const { partBytes, count } = partPlan(bytes.byteLength, o.multipartThreshold);
    const { UploadId } = await client.send(new sdk.CreateMultipartUploadCommand({ Bucket, Key }), bounded());
    const etags: string[] = [];
    let next = 0;
    let failed = false;
    const uploader = async (): Promise<void> => {
      for (let i = next++; i < count && !failed; i = next++) {
        try {
          const Body = bytes.subarray(i * partBytes, (i + 1) * partBytes);
          const part = await client.send(new sdk.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body }), bounded());
          etags[i] = part.ETag!;
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    try {
      const settled = await Promise.allSettled(Array.from({ length: Math.min(PARTS_IN_FLIGHT, count) }, uploader));
      const rejected = settled.find(result => result.status === 'rejected');
      if (rejected) throw rejected.reason;
      await client.send(new sdk.CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }), bounded());
    } catch (error) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket, Key, UploadId }), bounded()).catch(() => undefined);
      throw error;
    }
  }

  const core: S3Core = {
    async put(bytes) {
      const ref = blobRef(bytes);
      const Key = keyOf(ref);
      try {
        // Content-addressed: an object of the right size under this key holds these bytes (reads verify it).
        if (await storedSize(Key) === bytes.byteLength) return ref;
        if (bytes.byteLength > o.multipartThreshold) await uploadParts(Key, bytes);
        else await client.send(new sdk.PutObjectCommand({ Bucket, Key, Body: bytes, ContentType: 'application/octet-stream' }), bounded());
      } catch (error) {
        throw new Error(`[beautyspot] blob ${ref} (${bytes.byteLength} bytes) cannot be stored at ${where(ref)}: ${messageOf(error)}`, { cause: error });
      }
      return ref;
    },

    async read(ref) {
      if (!isBlobRef(ref)) return { corrupt: `blob reference "${ref}" is not a SHA-256 digest` };
      let bytes: Uint8Array;
      try {
        const object = await client.send(new sdk.GetObjectCommand({ Bucket, Key: keyOf(ref) }), bounded());
        bytes = await object.Body!.transformToByteArray();
      } catch (error) {
        if (isNotFound(error)) return { corrupt: `blob ${ref} is missing from ${where(ref)}` };
        throw new Error(`[beautyspot] blob ${ref} cannot be read from ${where(ref)}: ${messageOf(error)}`, { cause: error });
      }
      if (blobRef(bytes) !== ref) {
        // Damaged for sure: remove it, or put() would keep an object of the right size forever.
        await core.delete(ref).catch(() => undefined);
        return { corrupt: `blob ${ref} at ${where(ref)} does not match its hash` };
      }
      return { bytes };
    },

    async delete(ref) {
      if (isBlobRef(ref)) await client.send(new sdk.DeleteObjectCommand({ Bucket, Key: keyOf(ref) }), bounded());
    },

    async listPage(token) {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket, Prefix: `${o.prefix}/`, ContinuationToken: token }), bounded());
      const blobs: S3ListPage['blobs'] = [];
      for (const object of page.Contents ?? []) {
        const ref = object.Key?.slice(o.prefix.length + 4);
        if (ref !== undefined && isBlobRef(ref) && object.Key === keyOf(ref)) blobs.push({ ref, mtimeMs: object.LastModified?.getTime() ?? 0 });
      }
      return { blobs, next: page.IsTruncated ? page.NextContinuationToken : undefined };
    },

    async uploadsPage(marker) {
      const page = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket, Prefix: `${o.prefix}/`, ...marker }), bounded());
      return {
        uploads: (page.Uploads ?? []).map(u => ({ key: u.Key!, uploadId: u.UploadId!, initiatedMs: u.Initiated?.getTime() ?? 0 })),
        next: page.IsTruncated ? { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker } : undefined,
      };
    },

    async abortUpload(key, uploadId) {
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket, Key: key, UploadId: uploadId }), bounded());
    },

    close() {
      client.destroy();
    },
  };
  return core;
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
}
