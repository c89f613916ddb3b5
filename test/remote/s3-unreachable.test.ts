// A server that refuses connections, or accepts them and never answers: every form fails within its bounds, a
// read is a miss and a write a reported failure, never a hang and never the caller's problem.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Blobs, Spot, type DistS3Blobs } from '../helpers/dist-s3.js';

const REF = 'ab'.repeat(32);
const credentials = { accessKeyId: 'test:tester', secretAccessKey: 'testing' };
let refusing: string;
let silent: Server;
let silentUrl: string;
const held = new Set<Socket>();

beforeAll(async () => {
  // A port that was free a moment ago and has no listener: connections are refused.
  const probe = createServer();
  await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
  refusing = `http://127.0.0.1:${(probe.address() as { port: number }).port}`;
  await new Promise(resolve => probe.close(resolve));
  silent = createServer(socket => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise(resolve => silent.close(resolve));
});

function store(endpoint: string, timeoutMs = 60_000): DistS3Blobs {
  const blobs = new S3Blobs({ bucket: 'unreachable', client: { endpoint, region: 'us-east-1', credentials }, timeoutMs });
  onTestFinished(() => blobs.close());
  return blobs;
}

it('connection refused: async and sync puts and gets fail at once, naming the object; a get is not taken for damage', { timeout: 20_000 }, async () => {
  const blobs = store(refusing);
  await expect(blobs.putAsync(new Uint8Array(10))).rejects.toThrow(/^\[beautyspot\] blob [0-9a-f]{64} \(10 bytes\) cannot be stored at s3:\/\/unreachable\/beautyspot\//);
  await expect(blobs.getAsync(REF)).rejects.toThrow(`[beautyspot] blob ${REF} cannot be read from s3://unreachable/beautyspot/ab/${REF}`);
  await expect(blobs.getAsync(REF)).rejects.not.toMatchObject({ name: 'CorruptEntryError' });
  expect(() => blobs.put(new Uint8Array(10))).toThrow(/cannot be stored/);
  expect(() => blobs.get(REF)).toThrow(/cannot be read/);
  expect(() => [...blobs.list()]).toThrow(/ECONNREFUSED|connect/);
});

it('a server that never answers: each request ends at timeoutMs, in both forms', { timeout: 20_000 }, async () => {
  const blobs = store(silentUrl, 300);
  await expect(blobs.getAsync(REF)).rejects.toThrow(/cannot be read/);
  await expect(blobs.putAsync(new Uint8Array(10))).rejects.toThrow(/cannot be stored/);
  expect(() => blobs.get(REF)).toThrow(/cannot be read/);
  expect(() => blobs.delete(REF)).toThrow();
});

it('a marked function on a spot whose S3 blobs are unreachable returns its results, keeps them in the local blob files, and reports the outage once', { timeout: 20_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'bs-s3-down-'));
  const events: string[] = [];
  const spot = new Spot('down', { dir, blobs: store(refusing), onError: event => events.push(`${event.kind}: ${(event.error as Error).message}`) });
  onTestFinished(() => {
    spot.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let runs = 0;
  const render = spot.mark(function render(page: number): Uint8Array {
    runs++;
    return new Uint8Array(1000).fill(page);
  }, { blob: true });
  expect(render(3)).toEqual(new Uint8Array(1000).fill(3));
  expect(render(3)).toEqual(new Uint8Array(1000).fill(3));
  // The first result went to the local tier (<dir>/down.blobs), which served the second call.
  expect(runs).toBe(1);
  expect(readdirSync(join(dir, 'down.blobs'))).toHaveLength(1);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatch(/^remote: \[beautyspot\] the remote blob store cannot be reached \(.*blob [0-9a-f]{64} \(\d+ bytes\) cannot be stored/);
});
