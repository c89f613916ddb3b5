// Trial "s3": blob hits and misses of S3Blobs against a single-node Swift (+ s3api) this process starts, vs the
// raw SDK calls they are made of, on a client with the same settings.
import { randomBytes } from 'node:crypto';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { tsImport } from 'tsx/esm/api';
import { note, runChild } from '../lib/child.js';
import { interleaveAsync } from '../lib/timing.js';
import { internal } from '../lib/runtime.js';

const BLOB_BYTES = 200 * 1024;
const BUCKET = 'bench';

/** A request handler that counts PUTs (uploads) and HEADs, so the trial can check what a miss sends. */
class CountingHandler extends NodeHttpHandler {
  counts = { PUT: 0, HEAD: 0, GET: 0 };
  handle(request, options) {
    if (request.method in this.counts) this.counts[request.method]++;
    return super.handle(request, options);
  }
}

const drivers = {
  async s3({ rounds, ops, misses }) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const { startSwift } = await tsImport('../../test/helpers/swift-server.ts', import.meta.url);
    const swift = await startSwift();
    note(`Swift started in ${(swift.startMs / 1000).toFixed(1)} s`);
    try {
      return { ...(await measure(swift, { rounds, ops, misses })), swiftStartMs: swift.startMs };
    } finally {
      await swift.stop();
    }
  },
};

async function measure(swift, { rounds, ops, misses }) {
  const { S3Blobs } = await internal('s3/index.js');
  const { clientConfig, createS3Client, loadS3Sdk } = await internal('s3/s3-client.js');
  const { resolveS3Options } = await internal('s3/s3-options.js');
  const { CreateBucketCommand, GetObjectCommand, PutObjectCommand } = loadS3Sdk();
  const handler = new CountingHandler();
  const options = { bucket: BUCKET, prefix: 'bench', client: { endpoint: swift.endpoint, region: swift.region, credentials: swift.credentials } };
  const resolved = resolveS3Options({ ...options, client: { ...options.client, requestHandler: handler } });
  const raw = createS3Client(resolved);
  await raw.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const blobs = new S3Blobs(resolved);
  // The sync forms cross into a worker, so their client cannot take the counting handler instance.
  const syncBlobs = new S3Blobs(options);

  const bytes = randomBytes(BLOB_BYTES);
  const ref = await blobs.putAsync(bytes);
  const Key = `bench/${ref.slice(0, 2)}/${ref}`;
  const rawGet = async () => (await (await raw.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body.transformToByteArray()).length;
  if (Buffer.compare(await blobs.getAsync(ref), bytes) !== 0 || Buffer.compare(syncBlobs.get(ref), bytes) !== 0 || await rawGet() !== BLOB_BYTES) {
    throw new Error('s3: S3Blobs and the raw GetObject do not read the same bytes');
  }
  const loop = once => async () => {
    let sink = 0;
    for (let i = 0; i < ops; i++) sink += await once();
    return sink;
  };
  const hit = await interleaveAsync({
    raw: loop(rawGet),
    getAsync: loop(async () => (await blobs.getAsync(ref)).length),
    syncGet: loop(async () => syncBlobs.get(ref).length),
  }, { rounds, ops });

  // Misses: every blob is new (random bytes), so each put uploads it; then each again, which must upload nothing.
  const fresh = () => Array.from({ length: misses }, () => randomBytes(BLOB_BYTES));
  const time = async (blobList, put) => {
    const started = performance.now();
    for (const b of blobList) await put(b);
    return ((performance.now() - started) * 1000) / blobList.length;
  };
  const rawPutUs = await time(fresh(), b => raw.send(new PutObjectCommand({ Bucket: BUCKET, Key: `bench-raw/${randomBytes(8).toString('hex')}`, Body: b })));
  const missBlobs = fresh();
  const before = { ...handler.counts };
  const putUs = await time(missBlobs, b => blobs.putAsync(b));
  const afterMiss = { ...handler.counts };
  const againUs = await time(missBlobs, b => blobs.putAsync(b));
  const uploads = afterMiss.PUT - before.PUT;
  const reuploads = handler.counts.PUT - afterMiss.PUT;
  if (uploads !== misses || reuploads !== 0) throw new Error(`s3: ${misses} new blobs made ${uploads} uploads, and putting them again ${reuploads}`);
  note(`client settings: ${JSON.stringify({ ...clientConfig(resolved), credentials: '(hidden)', requestHandler: '(counting NodeHttpHandler)' })}`);
  blobs.close();
  syncBlobs.close();
  raw.destroy();
  return { hit, bytes: BLOB_BYTES, miss: { rawPutUs, putUs, againUs, misses, uploads, reuploads } };
}

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`s3: unknown driver ${args.driver}`);
  return driver(args);
});
