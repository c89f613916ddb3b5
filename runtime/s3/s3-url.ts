import { S3Blobs } from './s3-blobs.js';
import type { S3BlobsOptions } from './s3-options.js';

/**
 * `s3://bucket/prefix` with the standard AWS variables: the endpoint from AWS_ENDPOINT_URL_S3, else
 * AWS_ENDPOINT_URL (else AWS itself); the region from AWS_REGION, then AWS_DEFAULT_REGION, then us-east-1;
 * credentials from the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, roles).
 */
export function s3BlobsFromUrl(url: string, options: Omit<S3BlobsOptions, 'bucket' | 'prefix'> = {}): S3Blobs {
  return new S3Blobs({ ...options, ...parseS3Url(url), client: { ...clientFromEnv(process.env), ...options.client } });
}

function parseS3Url(url: string): { bucket: string; prefix?: string } {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (parsed?.protocol !== 's3:' || !parsed.hostname || parsed.port || parsed.username || parsed.search || parsed.hash) {
    throw new TypeError(`[beautyspot] ${JSON.stringify(url)} is not an S3 blob location: write s3://<bucket>/<key prefix>, e.g. s3://my-cache/beautyspot`);
  }
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  return prefix ? { bucket: parsed.hostname, prefix } : { bucket: parsed.hostname };
}

function clientFromEnv(env: NodeJS.ProcessEnv): S3BlobsOptions['client'] {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
  };
}
