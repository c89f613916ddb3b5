import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { checkOptionNames } from '../option-names.js';

export interface S3BlobsOptions {
  bucket: string;
  /** Objects are `<prefix>/<first two hex digits>/<sha256>`. Default `beautyspot`. */
  prefix?: string;
  /**
   * The S3 client's settings (endpoint, region, credentials, …), over beautyspot's defaults. The sync forms run
   * the client in a worker thread, so for them it must be plain data (no credential provider functions).
   */
  client?: S3ClientConfig;
  /** Blobs larger than this (bytes) are uploaded in parts. Default 8 MiB. */
  multipartThreshold?: number;
  /** Bound of each S3 request, retries and body included, ms. Default 30 s. */
  timeoutMs?: number;
  /** Bound of opening a connection, ms: an unreachable server fails this fast. Default 3 s. */
  connectTimeoutMs?: number;
}

export type ResolvedS3Options = Required<Omit<S3BlobsOptions, 'client'>> & { client: S3ClientConfig };

const S3_OPTIONS = ['bucket', 'prefix', 'client', 'multipartThreshold', 'timeoutMs', 'connectTimeoutMs'] as const;
const DEFAULT_MULTIPART_THRESHOLD = 8 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** S3's rules for bucket names, loosely (dots and dashes inside, 3–63 characters). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function resolveS3Options(options: S3BlobsOptions): ResolvedS3Options {
  // Validate arguments
  if (typeof options !== 'object' || options === null) throw new TypeError('[beautyspot] S3Blobs options must be an object, e.g. { bucket: "my-cache" }');
  checkOptionNames(options, S3_OPTIONS, 'S3Blobs');
  if (typeof options.bucket !== 'string' || !BUCKET.test(options.bucket)) {
    throw new TypeError(`[beautyspot] S3Blobs option "bucket" must be an S3 bucket name (3–63 lowercase letters, digits, "." or "-"), got ${JSON.stringify(options.bucket)}`);
  }
  const prefix = options.prefix ?? 'beautyspot';
  if (typeof prefix !== 'string' || prefix === '' || prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new TypeError(`[beautyspot] S3Blobs option "prefix" must be a non-empty key prefix without leading or trailing "/", got ${JSON.stringify(options.prefix)}`);
  }
  if (options.client !== undefined && (typeof options.client !== 'object' || options.client === null)) {
    throw new TypeError('[beautyspot] S3Blobs option "client" must be an S3ClientConfig object');
  }
  const positive = (name: 'multipartThreshold' | 'timeoutMs' | 'connectTimeoutMs', fallback: number): number => {
    const value = options[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number') throw new TypeError(`[beautyspot] S3Blobs option "${name}" must be a number, got ${typeof value}`);
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`[beautyspot] S3Blobs option "${name}" must be a whole number > 0, got ${value}`);
    return value;
  };

  // Interpret options
  return {
    bucket: options.bucket,
    prefix,
    client: options.client ?? {},
    multipartThreshold: positive('multipartThreshold', DEFAULT_MULTIPART_THRESHOLD),
    timeoutMs: positive('timeoutMs', DEFAULT_TIMEOUT_MS),
    connectTimeoutMs: positive('connectTimeoutMs', DEFAULT_CONNECT_TIMEOUT_MS),
  };
}
