import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCore, resolveRedisOptions, type RedisCore } from '../../runtime/redis/redis-core.js';
import { RedisUnavailableError } from '../../runtime/redis/redis-errors.js';
import type { EntryRecord } from '../../runtime/store/store.js';
import { killLeftovers, startNode } from '../helpers/node-child.js';
import { freePort, requireRedis, startRedis, type RedisServer } from '../helpers/redis-servers.js';

const available = requireRedis('redis-faults');
const DIST = pathToFileURL(join(process.cwd(), 'dist/runtime/redis/index.js')).href;

const entry = (key: string): EntryRecord => ({
  key, fn: 'f', size: 3, args: [], tags: [], createdAt: Date.now(), expiresAt: null, computeMs: 1, flags: 0,
  value: new Uint8Array([1, 2, 3]), blob: null,
});

describe.runIf(available)('RedisStore faults', () => {
  let server: RedisServer;
  let dir: string;
  const cores: RedisCore[] = [];
  const core = (url = server.url): RedisCore => {
    const c = createRedisCore(resolveRedisOptions({ url, connectTimeoutMs: 500, commandTimeoutMs: 500 }));
    cores.push(c);
    return c;
  };

  beforeAll(async () => {
    server = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'beautyspot-redis-faults-'));
  }, 30_000);
  afterAll(async () => {
    for (const c of cores) c.close();
    killLeftovers();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an unreachable server fails the first commands after the connect timeout, and later ones at once', async () => {
    const c = core(`redis://127.0.0.1:${await freePort()}`);
    await expect(c.get('k')).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(c.put(entry('k'))).rejects.toThrow(/\[beautyspot\] Redis at redis:\/\/127\.0\.0\.1:\d+ did not answer/);
  });

  it('a server stopped mid-run fails calls (no hang); restarted, the store reconnects by itself', async () => {
    const c = core();
    await c.put(entry('k1'));
    expect(await c.get('k1')).toBeDefined();
    await server.kill();
    for (let i = 0; i < 3; i++) await expect(c.get('k1')).rejects.toBeInstanceOf(RedisUnavailableError);
    await server.restart();
    let answered: unknown;
    for (let i = 0; i < 100 && answered === undefined; i++) {
      answered = await c.get('k1').then(value => value ?? null, () => undefined); // the restarted server is empty: null
      if (answered === undefined) await new Promise(resolve => setTimeout(resolve, 100));
    }
    expect(answered).toBeNull();
    await c.put(entry('k2'));
    expect(await c.get('k2')).toBeDefined();
  });

  it('a server that stops answering is a command timeout, not a hang', async () => {
    const c = core();
    await c.put(entry('k3'));
    server.pause();
    try {
      await expect(c.get('k3')).rejects.toBeInstanceOf(RedisUnavailableError);
      // Reads issued together share one MGET: each of them fails (a miss for each caller), none hangs.
      const together = await Promise.allSettled(['k3', 'k4', 'k5'].map(key => c.get(key)));
      for (const result of together) expect(result.status === 'rejected' && result.reason).toBeInstanceOf(RedisUnavailableError);
    } finally {
      server.resume();
    }
  });

  it('a script that used the store exits by itself, with the server up and with it unreachable', async () => {
    const script = join(dir, 'exits.mjs');
    writeFileSync(script, `
      import { RedisStore } from ${JSON.stringify(DIST)};
      const store = new RedisStore({ url: process.argv[2], connectTimeoutMs: 2000, commandTimeoutMs: 2000 });
      const entry = { key: 'exit-k', fn: 'f', size: 1, args: [], tags: [], createdAt: Date.now(), expiresAt: null, computeMs: 1, flags: 0, value: new Uint8Array([9]), blob: null };
      try {
        await store.putAsync(entry);
        const hit = await store.getAsync('exit-k');
        console.log('hit', hit.value[0]);
      } catch (error) {
        console.log('miss', error.name);
      }
    `);
    const up = await startNode(script, { args: [server.url], timeoutMs: 20_000 }).result;
    expect(up).toMatchObject({ code: 0, timedOut: false });
    expect(up.stdout.trim()).toBe('hit 9');
    const down = await startNode(script, { args: [`redis://127.0.0.1:${await freePort()}`], timeoutMs: 20_000 }).result;
    expect(down).toMatchObject({ code: 0, timedOut: false });
    expect(down.stdout.trim()).toBe('miss RedisUnavailableError');
  });
});
