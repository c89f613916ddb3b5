// beautyspot/s3: blobs in S3 or any S3-compatible server. Needs the optional peer dependency @aws-sdk/client-s3.
export { S3Blobs } from './s3-blobs.js';
export { s3BlobsFromUrl } from './s3-url.js';
export type { S3BlobsOptions } from './s3-options.js';
