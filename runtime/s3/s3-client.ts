import { createRequire } from 'node:module';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { lazyBuiltin } from '../lazy-builtin.js';
import type { ResolvedS3Options } from './s3-options.js';

export type { S3Sdk };

let sdk: typeof S3Sdk | undefined;

/** The AWS SDK's S3 client package, loaded on first use (users who never use S3 never install it). */
export function loadS3Sdk(): typeof S3Sdk {
  if (sdk) return sdk;
  try {
    sdk = createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof S3Sdk;
  } catch (error) {
    throw new Error('[beautyspot] S3Blobs needs the AWS SDK\'s S3 client, which cannot be loaded. ' +
      'Install it next to beautyspot: npm install @aws-sdk/client-s3', { cause: error });
  }
  return sdk;
}

/**
 * The client settings: beautyspot's defaults under the user's own. Checksums only when an operation requires
 * them (S3-compatible servers reject or mangle the newer default ones), path-style addressing for an endpoint
 * on an IP address or localhost (no DNS name per bucket there), and a connect timeout so an unreachable server
 * fails fast. The SDK's agent keeps idle sockets alive but unref'd, so they never hold the process open.
 */
export function clientConfig(options: ResolvedS3Options): S3ClientConfig {
  const { client } = options;
  const host = endpointHost(client.endpoint);
  return {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    forcePathStyle: host !== undefined && isLocalHost(host),
    requestHandler: { connectionTimeout: options.connectTimeoutMs },
    ...client,
  };
}

export function createS3Client(options: ResolvedS3Options): S3Sdk.S3Client {
  return new (loadS3Sdk().S3Client)(clientConfig(options));
}

function endpointHost(endpoint: S3ClientConfig['endpoint']): string | undefined {
  const text = typeof endpoint === 'string' ? endpoint : endpoint instanceof URL ? endpoint.href : undefined;
  if (text === undefined) return undefined;
  try {
    return new URL(text).hostname;
  } catch {
    return undefined;
  }
}

function isLocalHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare.endsWith('.localhost') || lazyBuiltin<typeof import('node:net')>('node:net').isIP(bare) !== 0;
}
