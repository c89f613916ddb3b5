// Trial "redis": a hit through RedisStore against a raw GET of the same record on the same client, 64 concurrent
// hits against one, and a sync hit (through the worker bridge) against an async one. Starts its own redis-server.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { interleave, interleaveAsync } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';

const CONCURRENCY = 64;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server on a free loopback port in a temp dir, ready when PING answers; `stop()` ends it. */
async function startServer() {
  const port = await freePort();
  const dir = mkdtempSync(join(os.tmpdir(), 'beautyspot-bench-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' });
  const spawnFailed = new Promise((_, reject) => child.once('error', reject));
  for (let i = 0; ; i++) {
    const ping = spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' });
    if (ping.stdout?.includes('PONG')) break;
    if (i > 200) throw new Error(`redis-server on port ${port} did not answer PING`);
    await Promise.race([new Promise(resolve => setTimeout(resolve, 25)), spawnFailed]);
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () => new Promise(resolve => {
      child.once('exit', () => {
        rmSync(dir, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGTERM');
    }),
  };
}

/** A store on a fresh server holding ~140-byte entries (CONCURRENCY of them, the first is the hit trial's), all of one value. */
async function fixture() {
  const server = await startServer();
  const { RedisStore } = await import(new URL('../../dist/runtime/redis/index.js', import.meta.url).href);
  const { defaultCodec } = await loadRuntime();
  const store = new RedisStore({ url: server.url });
  const value = Buffer.from(defaultCodec().encode({ id: 7, name: 'item-0007', tags: ['a', 'b', 'c'], score: 0.5, text: 'x'.repeat(80) }));
  const keys = Array.from({ length: CONCURRENCY }, (_, i) => String(i).padStart(43, 'A'));
  for (const key of keys) {
    await store.putAsync({ key, fn: 'bench', size: value.length, args: [], tags: [], createdAt: Date.now(), expiresAt: null,
      computeMs: 10, flags: 0, value, blob: null });
    const hit = await store.getAsync(key);
    if (!hit || Buffer.compare(Buffer.from(hit.value), value) !== 0) throw new Error('redis: the stored entry does not read back');
  }
  return { server, store, key: keys[0], keys, valueBytes: value.length };
}

const drivers = {
  async async({ rounds, ops }) {
    const { server, store, key, keys, valueBytes } = await fixture();
    try {
      // The same client the store uses (its main-thread connection), the same record bytes.
      const connection = store.core.connection;
      const name = `beautyspot:e:{${key}}`;
      const raw = await connection.send(name, ['GET', name]);
      if (!Buffer.isBuffer(raw) || raw.length < valueBytes) throw new Error('redis: the raw GET does not return the record');
      const result = await interleaveAsync({
        raw: async () => {
          let sink = 0;
          for (let i = 0; i < ops; i++) sink += (await connection.send(name, ['GET', name])).length;
          return sink;
        },
        async: async () => {
          let sink = 0;
          for (let i = 0; i < ops; i++) sink += (await store.getAsync(key)).value.length;
          return sink;
        },
        [`concurrent${CONCURRENCY}`]: async () => {
          let sink = 0;
          for (let i = 0; i < ops; i++) sink += (await Promise.all(keys.map(k => store.getAsync(k)))).length;
          return sink;
        },
      }, { rounds, ops });
      return { ...result, valueBytes, concurrency: CONCURRENCY };
    } finally {
      store.close();
      await server.stop();
    }
  },

  async sync({ rounds, ops }) {
    const { server, store, key, valueBytes } = await fixture();
    try {
      if (store.get(key)?.value.length !== valueBytes) throw new Error('redis: the sync get does not read the entry');
      const asyncRounds = await interleaveAsync({
        async: async () => {
          let sink = 0;
          for (let i = 0; i < ops; i++) sink += (await store.getAsync(key)).value.length;
          return sink;
        },
      }, { rounds, ops });
      const syncRounds = interleave({
        sync: () => {
          let sink = 0;
          for (let i = 0; i < ops; i++) sink += store.get(key).value.length;
          return sink;
        },
      }, { rounds, ops });
      return { ...asyncRounds, ...syncRounds, valueBytes };
    } finally {
      store.close();
      await server.stop();
    }
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`redis: unknown driver ${args.driver}`);
  return driver(args);
});
