import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The built package's S3 entry and runtime: the sync bridge's worker imports built modules only. */
export const distUrl = (path: string): string => pathToFileURL(join(import.meta.dirname, '../../dist/runtime', path)).href;
export const { S3Blobs, s3BlobsFromUrl } = await import(distUrl('s3/index.js')) as typeof import('../../runtime/s3/index.js');
export const { Spot } = await import(distUrl('index.js')) as typeof import('../../runtime/index.js');
export type DistS3Blobs = InstanceType<typeof S3Blobs>;
