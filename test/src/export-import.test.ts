import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spot } from '../../runtime/index.js';
import { REPO } from '../e2e/fixture-project.js';
import { requireRedis, startRedis, type RedisServer } from '../helpers/redis-servers.js';
import { createBucket, sharedSwift } from '../helpers/shared-swift.js';
import { tempDir } from '../helpers/temp-spot.js';

// export → import through the real CLI (dist/src/cli.js), between two cache directories ("machines").

const CLI = join(REPO, 'dist', 'src', 'cli.js');

/** Where the "machine" keeps its cache: a directory, plus Redis and S3 when `remote` names them. */
let remote: Record<string, string> = {};

function cli(dir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...remote, BEAUTYSPOT_DIR: dir, DEBUG: '' }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Two functions over two spots: inline and blob values, tags, a ttl, a value of every kind the codec keeps. */
function pipeline(dir: string): { calls: () => unknown[]; ran: string[]; close: () => void } {
  const ran: string[] = [];
  const main = new Spot('default', { dir, blobThreshold: 1000 });
  const other = new Spot('other', { dir });
  const page = main.mark((url: string) => (ran.push(`page:${url}`), { url, at: new Date(0), body: 'x'.repeat(url.length * 500) }),
    { name: 'page', tags: ['web'], ttl: '7d' });
  const count = other.mark((n: number) => (ran.push(`count:${n}`), new Map([[n, new Set([n, -0])]])), { name: 'count' });
  return {
    ran,
    calls: () => [page('a'), page('bb'), page('ccc'), count(1), count(2)],
    close: () => {
      main.close();
      other.close();
    },
  };
}

describe.runIf(requireRedis('export-import'))('export / import between backends', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    remote = {};
    await redis?.stop();
  });

  it('SQLite → Redis + S3 → SQLite: every entry and blob arrives, and calls on the last machine are hits', async ctx => {
    const swift = await sharedSwift();
    if ('missing' in swift) return ctx.skip(swift.missing);
    await createBucket(swift, 'exports');
    const onRemote = {
      BEAUTYSPOT_STORE: `${redis!.url}/0?prefix=x${Date.now()}:`,
      BEAUTYSPOT_BLOBS: `s3://exports/run${Date.now()}`,
      AWS_ENDPOINT_URL_S3: swift.endpoint,
      AWS_ACCESS_KEY_ID: swift.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: swift.credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const first = tempDir();
    const source = pipeline(first);
    const values = source.calls();
    source.close();
    const file = join(tempDir(), 'a.bspot');
    expect(cli(first, 'export', file).status).toBe(0);

    remote = onRemote;
    const shared = tempDir();
    const up = cli(shared, 'import', file, '--json');
    expect(up.status, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ imported: 5, blobs: 2 });
    expect(existsSync(join(shared, 'default.sqlite'))).toBe(false); // it went to Redis, not the directory
    // Spots are found from the cache directory's files, so on Redis each is named.
    const backs = [['default', 3, 2], ['other', 2, 0]].map(([spot, entries, blobs]) => {
      const back = join(tempDir(), `${spot}.bspot`);
      const down = cli(shared, 'export', back, '--spot', String(spot), '--json');
      expect(down.status, down.stderr).toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({ entries, blobs });
      return back;
    });

    remote = {};
    const last = tempDir();
    for (const back of backs) expect(cli(last, 'import', back).status).toBe(0);
    const target = pipeline(last);
    expect(target.calls()).toEqual(values);
    expect(target.ran).toEqual([]);
    target.close();
  }, 120_000);
});

describe('beautyspot export / import', () => {
  it('moves every entry and blob to another cache directory, where every call is a hit with the same value', () => {
    const from = tempDir();
    const to = tempDir();
    const source = pipeline(from);
    const values = source.calls();
    source.close();
    const file = join(tempDir(), 'cache.bspot');
    const exported = cli(from, 'export', file, '--json');
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout)).toMatchObject({ spots: ['default', 'other'], entries: 5, blobs: 2 });
    const imported = cli(to, 'import', file, '--json');
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 5, kept: 0, blobs: 2 });

    const target = pipeline(to);
    expect(target.calls()).toEqual(values);
    expect(target.ran).toEqual([]);
    target.close();
    // The records are the same: what the tools list on both sides, access times aside.
    const listed = (dir: string) => (JSON.parse(cli(dir, 'ls', '--json').stdout) as { entries: Record<string, unknown>[] }).entries
      .map(({ accessedAt: _, ...rest }) => rest).sort((a, b) => String(a.key).localeCompare(String(b.key)));
    expect(listed(to)).toEqual(listed(from));
    // A second import keeps what the target has.
    expect(JSON.parse(cli(to, 'import', file, '--json').stdout)).toMatchObject({ imported: 0, kept: 5 });
  });

  it('exports one function or one tag', () => {
    const from = tempDir();
    const source = pipeline(from);
    source.calls();
    source.close();
    const file = join(tempDir(), 'page.bspot');
    expect(JSON.parse(cli(from, 'export', file, '--fn', 'page', '--json').stdout)).toMatchObject({ entries: 3, blobs: 2 });
    expect(JSON.parse(cli(from, 'export', file, '--tag', 'web', '--spot', 'default', '--json').stdout)).toMatchObject({ entries: 3 });
    const to = tempDir();
    expect(JSON.parse(cli(to, 'import', file, '--json').stdout)).toMatchObject({ spots: ['default'], imported: 3 });
  });

  it('a damaged or truncated file imports nothing and says why', () => {
    const from = tempDir();
    const source = pipeline(from);
    source.calls();
    source.close();
    const file = join(tempDir(), 'cache.bspot');
    expect(cli(from, 'export', file).status).toBe(0);
    const bytes = readFileSync(file);
    const damaged = [
      (path: string) => { const copy = Buffer.from(bytes); copy[Math.floor(copy.length / 2)]! ^= 0x40; writeFileSync(path, copy); },
      (path: string) => { writeFileSync(path, bytes); truncateSync(path, Math.floor(bytes.length * 0.7)); },
      (path: string) => writeFileSync(path, 'not an export at all'),
    ];
    for (const damage of damaged) {
      const to = tempDir();
      const path = join(to, 'in.bspot');
      damage(path);
      const result = cli(to, 'import', path);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/cannot be imported: .*\. Nothing was imported\.\n$/);
      expect(existsSync(join(to, 'default.sqlite')) || existsSync(join(to, 'other.sqlite'))).toBe(false);
    }
  });
});
