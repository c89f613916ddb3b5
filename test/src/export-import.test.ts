import { decode, encode } from '@msgpack/msgpack';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Spot } from '../../runtime/index.js';
import type { EntryRecord } from '../../runtime/store/store.js';
import { openView } from '../../src/cache/open-view.js';
import { REPO } from '../e2e/fixture-project.js';
import { requireRedis, startRedis, type RedisServer } from '../helpers/redis-servers.js';
import { createBucket, sharedSwift } from '../helpers/shared-swift.js';
import { tempDir } from '../helpers/temp-spot.js';

// export → import through the real CLI (dist/src/cli.js), between two cache directories ("machines").

const CLI = join(REPO, 'dist', 'src', 'cli.js');

/** Where the "machine" keeps its cache: a directory, plus Redis and S3 when `remote` names them. */
let remote: Record<string, string> = {};

function cli(dir: string, args: string[], input?: Buffer): { status: number | null; stdout: string; stderr: string; bytes: Buffer } {
  const result = spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...remote, BEAUTYSPOT_DIR: dir, DEBUG: '' }, input, maxBuffer: 1 << 30 });
  return { status: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString(), bytes: result.stdout };
}

function json<T = Record<string, unknown>>(dir: string, ...args: string[]): T {
  const result = cli(dir, [...args, '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

/** Bytes no compressor shrinks, so their frame spans many gzip chunks. */
function noise(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = 0x9e3779b9;
  for (let i = 0; i < size; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  return bytes;
}

/** Three functions over two spots: inline and blob values (one over many gzip chunks), tags, a ttl, a version, values of several kinds. */
function pipeline(dir: string): { calls: () => unknown[]; ran: string[]; close: () => void } {
  const ran: string[] = [];
  const main = new Spot('default', { dir, blobThreshold: 1000 });
  const other = new Spot('other', { dir });
  const page = main.mark((url: string) => (ran.push(`page:${url}`), { url, at: new Date(0), body: 'x'.repeat(url.length * 500) }),
    { name: 'page', tags: ['web'], ttl: '7d' });
  const image = main.mark((n: number) => (ran.push(`image:${n}`), noise(n)), { name: 'image', version: '2' });
  const count = other.mark((n: number) => (ran.push(`count:${n}`), new Map([[n, new Set([n, -0])]])), { name: 'count' });
  return {
    ran,
    calls: () => [page('a'), page('bb'), page('ccc'), image(200_000), count(1), count(2)],
    close: () => {
      main.close();
      other.close();
    },
  };
}

function sourceCache(): { dir: string; values: unknown[] } {
  const dir = tempDir();
  const source = pipeline(dir);
  const values = source.calls();
  source.close();
  return { dir, values };
}

/** Every stored record of a spot, as its store returns them (value bytes, times, tags, code), by key. */
function records(dir: string, name: string): EntryRecord[] {
  const spot = new Spot(name, { dir });
  try {
    const { store } = spot.parts();
    return spot.entries({ limit: 100_000 }).map(info => store.record!(info.key, store.get(info.key)!)!).sort((a, b) => (a.key < b.key ? -1 : 1));
  } finally {
    spot.close();
  }
}

/** The keys of a spot's file, read through the tools' read-only view (while another process writes it). */
function keysOf(dir: string): string[] {
  const view = openView('default', { dir })!;
  try {
    return view.query({ limit: 100_000 }).rows.map(row => row.key);
  } finally {
    view.close();
  }
}

function exported(dir: string, ...args: string[]): string {
  const file = join(tempDir(), 'cache.bspot');
  const result = cli(dir, ['export', file, ...args]);
  expect(result.status, result.stderr).toBe(0);
  return file;
}

// The file format, read and written here on its own (as docs/architecture.md describes it), to damage files on purpose.
type Frame = Record<string, any>;

function framesOf(file: string): Frame[] {
  const raw = gunzipSync(readFileSync(file));
  const frames: Frame[] = [];
  for (let at = 0; at < raw.length; at += 4 + raw.readUInt32LE(at)) frames.push(decode(raw.subarray(at + 4, at + 4 + raw.readUInt32LE(at))) as Frame);
  return frames;
}

/** Writes `frames` as an export file; with `seal`, the trailer's counts and hash are made to match (only other checks can fail). */
function writeFrames(file: string, frames: Frame[], seal = true): string {
  if (seal) {
    const body = frames.slice(0, -1);
    const sha256 = createHash('sha256').update(Buffer.concat(body.map(framed))).digest('hex');
    frames = [...body, { t: 'end', entries: body.filter(f => f.t === 'entry').length, blobs: body.filter(f => f.t === 'blob').length, sha256 }];
  }
  writeFileSync(file, gzipSync(Buffer.concat(frames.map(framed))));
  return file;
}

function framed(frame: Frame): Buffer {
  const body = encode(frame, { ignoreUndefined: true });
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32LE(body.length);
  return Buffer.concat([prefix, body]);
}

/** Imports a damaged file into a fresh directory: it must fail, say why, and write nothing. */
function refused(file: string, reason: RegExp): void {
  const to = tempDir();
  const result = cli(to, ['import', file]);
  expect(result.stderr).toMatch(/cannot be imported: .*\. Nothing was imported; export it again\.\n$/);
  expect(result.stderr).toMatch(reason);
  expect(result.status).toBe(1);
  expect(readdirSync(to)).toEqual([]);
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

  it('SQLite → Redis + S3 → SQLite: every record and blob arrives as it was, and calls on the last machine are hits', async ctx => {
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
    const { dir: first, values } = sourceCache();
    const file = exported(first);

    remote = onRemote;
    const shared = tempDir();
    expect(json(shared, 'import', file)).toMatchObject({ imported: 6, blobs: 3 });
    expect(existsSync(join(shared, 'default.sqlite'))).toBe(false); // it went to Redis, not the directory
    // Spots are found from the cache directory's files, so on Redis each is named.
    const backs = [['default', 4, 3], ['other', 2, 0]].map(([spot, entries, blobs]) => {
      const back = join(tempDir(), `${spot}.bspot`);
      expect(json(shared, 'export', back, '--spot', String(spot))).toMatchObject({ entries, blobs });
      return back;
    });

    remote = {};
    const last = tempDir();
    for (const back of backs) expect(cli(last, ['import', back]).status).toBe(0);
    for (const spot of ['default', 'other']) expect(records(last, spot)).toEqual(records(first, spot));
    const target = pipeline(last);
    expect(target.calls()).toEqual(values);
    expect(target.ran).toEqual([]);
    target.close();
  }, 120_000);
});

describe('beautyspot export / import', () => {
  it('moves every entry and blob to another cache directory: the same records, and every call a hit with the same value', () => {
    const { dir: from, values } = sourceCache();
    const file = join(tempDir(), 'cache.bspot');
    expect(json(from, 'export', file)).toMatchObject({ spots: ['default', 'other'], entries: 6, blobs: 3, damaged: 0 });
    const to = tempDir();
    expect(json(to, 'import', file)).toMatchObject({ spots: ['default', 'other'], imported: 6, kept: 0, expired: 0, blobs: 3 });

    for (const spot of ['default', 'other']) expect(records(to, spot)).toEqual(records(from, spot));
    const target = pipeline(to);
    expect(target.calls()).toEqual(values);
    expect(target.ran).toEqual([]);
    target.close();
    // A second import keeps what the target has.
    expect(json(to, 'import', file)).toMatchObject({ imported: 0, kept: 6 });
    expect(cli(to, ['import', file]).stdout).toBe('imported 0 entries and 0 blobs (0 B) into spot "default", spot "other"; ' +
      'kept 6 entries this cache had computed as recently or later\n');
  });

  it('writes a blob once however many entries use it, and keeps a target entry computed later', () => {
    const from = tempDir();
    const body = (n: number) => 'y'.repeat(5000) + (n < 0 ? n : '');
    const source = new Spot('default', { dir: from, blobThreshold: 100 });
    const same = source.mark(body, { name: 'same' });
    for (let n = 0; n < 5; n++) same(n);
    source.close();
    const file = exported(from);
    expect(framesOf(file).filter(f => f.t === 'blob')).toHaveLength(1);
    // The target computed one of them later: it keeps that one; the others arrive.
    const to = tempDir();
    const target = new Spot('default', { dir: to, blobThreshold: 100 });
    target.mark(body, { name: 'same' })(3);
    target.close();
    const [mine] = records(to, 'default');
    expect(json(to, 'import', file)).toMatchObject({ imported: 4, kept: 1, blobs: 1 });
    expect(records(to, 'default').find(r => r.key === mine!.key)).toEqual(mine);
  });

  it('exports one function or one tag, and imports one spot of a file', () => {
    const { dir: from } = sourceCache();
    const file = join(tempDir(), 'page.bspot');
    expect(json(from, 'export', file, '--fn', 'page')).toMatchObject({ entries: 3, blobs: 2 });
    expect(json(from, 'export', file, '--tag', 'web', '--spot', 'default')).toMatchObject({ spots: ['default'], entries: 3 });
    expect(json(tempDir(), 'import', file)).toMatchObject({ spots: ['default'], imported: 3 });

    const all = exported(from);
    const to = tempDir();
    expect(json(to, 'import', all, '--spot', 'other')).toMatchObject({ spots: ['other'], imported: 2, blobs: 0 });
    expect(existsSync(join(to, 'default.sqlite'))).toBe(false);
    const missing = cli(to, ['import', all, '--spot', 'nope']);
    expect(missing.stderr).toBe('beautyspot: the file holds no spot "nope"; it holds "default", "other". Nothing was imported.\n');
    expect(missing.status).toBe(1);
  });

  it('streams through stdout and stdin (-)', () => {
    const { dir: from } = sourceCache();
    const out = cli(from, ['export', '-']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stderr).toMatch(/^exported 6 entries and 3 blobs \(19\d\.\d KiB\) of 2 spots to stdout\n$/);
    const to = tempDir();
    const imported = cli(to, ['import', '-', '--json'], out.bytes);
    expect(imported.status, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: 6, blobs: 3 });
    expect(records(to, 'default')).toEqual(records(from, 'default'));
    const truncated = cli(tempDir(), ['import', '-'], out.bytes.subarray(0, out.bytes.length - 100));
    expect(truncated.stderr).toMatch(/^beautyspot: stdin cannot be imported: .*truncated/);
    expect(truncated.status).toBe(1);
  });

  it('leaves expired entries out, on export and on import', () => {
    const from = tempDir();
    const spot = new Spot('default', { dir: from });
    const double = spot.mark((n: number) => n * 2, { name: 'double' });
    double(1);
    double(2);
    const { store } = spot.parts();
    const key = spot.entries()[0]!.key;
    store.put({ ...store.record!(key, store.get(key)!)!, key: 'expired'.padEnd(43, '0'), expiresAt: Date.now() - 1000 });
    spot.close();
    const frames = framesOf(exported(from));
    expect(frames.filter(f => f.t === 'entry')).toHaveLength(2);
    // One that expires between export and import.
    frames.find(f => f.t === 'entry')!.record.expiresAt = Date.now() - 1;
    const aged = writeFrames(join(tempDir(), 'aged.bspot'), frames);
    const to = tempDir();
    expect(json(to, 'import', aged)).toMatchObject({ imported: 1, expired: 1 });
    expect(cli(to, ['import', aged]).stdout).toMatch(/; left out 1 entries that expired since the export\n$/);
  });

  it('a damaged or truncated file imports nothing and says why', () => {
    const { dir: from } = sourceCache();
    const file = exported(from);
    const bytes = readFileSync(file);
    const dir = tempDir();
    const write = (name: string, content: Buffer | string): string => (writeFileSync(join(dir, name), content), join(dir, name));
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
    refused(write('flipped', flipped), /damaged|truncated/);
    refused(write('cut', bytes.subarray(0, Math.floor(bytes.length * 0.7))), /truncated/);
    refused(write('text', 'not an export at all'), /cannot be read/);
    refused(write('empty', gzipSync(Buffer.alloc(0))), /it is empty/);

    // Inside a sound gzip stream: each check of the contents on its own.
    const edit = (change: (frames: Frame[]) => void, seal = true): string => {
      const frames = framesOf(file);
      change(frames);
      return writeFrames(join(dir, 'edited'), frames, seal);
    };
    const blob = (frames: Frame[]) => frames.find(f => f.t === 'blob')!;
    const entry = (frames: Frame[]) => frames.find(f => f.t === 'entry')!;
    refused(edit(frames => void (frames[0]!.format = 'tarball')), /it is not a beautyspot export/);
    refused(edit(frames => void (frames[0]!.version = 2)), /format version 2, newer than this beautyspot reads \(1\); upgrade beautyspot/);
    refused(edit(frames => void (frames[0]!.spots = ['../etc'])), /names a spot that cannot be one/);
    refused(edit(frames => void (blob(frames).bytes[100] ^= 1)), /blob [0-9a-f]{16}… does not match its hash: damaged/);
    refused(edit(frames => void (entry(frames).record.value = new Uint8Array([1, 2, 3])), false), /do not match its trailer: damaged/);
    refused(edit(frames => void frames.splice(frames.indexOf(entry(frames)), 1), false), /do not match its trailer/);
    refused(edit(frames => void frames.splice(frames.indexOf(blob(frames)), 1)), /uses a blob the file does not hold before it/);
    refused(edit(frames => void delete entry(frames).record.tags), /incomplete entry \(entry .{12}…: tags\)/);
    refused(edit(frames => void (entry(frames).record.key = '../../x')), /its key is not a beautyspot key/);
    refused(edit(frames => void (entry(frames).record.code = { hash: 1 })), /incomplete entry \(.*code\)/);
    refused(edit(frames => void (entry(frames).spot = 'elsewhere')), /spot "elsewhere" is not in its header/);
    refused(edit(frames => void frames.push({ t: 'end', entries: 0, blobs: 0, sha256: '' }), false), /bytes follow its trailer/);
    refused(edit(frames => void frames.pop(), false), /ends before its trailer: truncated/);
  });

  it('refuses a cache it cannot write, and says when writing fails midway', () => {
    const { dir: from } = sourceCache();
    const file = exported(from);
    // A file of a newer schema: the runtime leaves it alone (and runs uncached), so nothing can be imported into it.
    const newer = tempDir();
    const db = new Database(join(newer, 'default.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    const before = readFileSync(join(newer, 'default.sqlite'));
    const refusedNewer = cli(newer, ['import', file]);
    expect(refusedNewer.stderr).toMatch(/newer/);
    expect(refusedNewer.stderr).toMatch(/beautyspot: spot "default" of this cache cannot be written \(see the warning above\)\. Nothing was imported\.\n$/);
    expect(refusedNewer.status).toBe(1);
    expect(readFileSync(join(newer, 'default.sqlite'))).toEqual(before);
    // A blob directory that is a file: the first blob cannot be written.
    const broken = tempDir();
    writeFileSync(join(broken, 'default.blobs'), 'not a directory');
    const midway = cli(broken, ['import', file]);
    expect(midway.stderr).toMatch(/^beautyspot: importing .* failed midway \(.*\); what was written before stays, and importing again completes it\.\n$/);
    expect(midway.stderr).not.toMatch(/damaged/);
    expect(midway.status).toBe(1);
  });

  it('a failed export says why and leaves no file, nor a partial one', () => {
    const { dir: from } = sourceCache();
    const target = join(tempDir(), 'missing', 'cache.bspot');
    const result = cli(from, ['export', target]);
    expect(result.stderr).toMatch(/^beautyspot: the export to .*cache\.bspot failed \(ENOENT.*\)\. Nothing was written; check that its directory exists/);
    expect(result.status).toBe(1);
    expect(existsSync(join(target, '..'))).toBe(false);
    // A complete export leaves only its file.
    const dir = tempDir();
    expect(cli(from, ['export', join(dir, 'a.bspot')]).status).toBe(0);
    expect(readdirSync(dir)).toEqual(['a.bspot']);
    expect(cli(from, ['export']).status).toBe(2); // usage: no file
  });

  it('exports while another process writes, evicts and refreshes the cache: nothing that stays is left out', async () => {
    const from = tempDir();
    const seed = new Spot('default', { dir: from });
    const square = seed.mark((n: number) => n * n, { name: 'square' });
    for (let n = 0; n < 2500; n++) square(n);
    seed.close();
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      import { Spot } from ${JSON.stringify(join(REPO, 'dist', 'runtime', 'index.js'))};
      const spot = new Spot('default', { dir: ${JSON.stringify(from)}, maxEntries: 2600 });
      const body = n => n * n;
      const square = spot.mark(body, { name: 'square' });
      const refresh = spot.mark(body, { name: 'square', access: 'ew' });
      for (let n = 2500; n < 6000; n++) {
        square(n);          // a new entry; past 2600 entries the least recently used go
        refresh(n % 2500);  // an older one rewritten
      }
      spot.close();
      console.log('done');
    `], { env: { ...process.env, DEBUG: '' } });
    let out = '';
    let err = '';
    writer.stdout.on('data', d => (out += d));
    writer.stderr.on('data', d => (err += d));
    const exited = new Promise<number | null>(done => writer.on('exit', done));
    let finished = false;
    void exited.then(() => (finished = true));
    let exports = 0;
    while (!finished || exports < 2) {
      const before = new Set(keysOf(from));
      const file = exported(from);
      const after = keysOf(from);
      const inFile = new Set(framesOf(file).filter(f => f.t === 'entry').map(f => f.record.key as string));
      expect(after.filter(key => before.has(key) && !inFile.has(key))).toEqual([]);
      expect(json<{ imported: number }>(tempDir(), 'import', file).imported).toBeGreaterThan(0);
      exports++;
      await new Promise(resolve => setTimeout(resolve, 10)); // lets the writer's exit be seen
    }
    expect(await exited).toBe(0);
    expect(out.trim()).toBe('done');
    expect(err).toBe('');
  }, 120_000);
});
