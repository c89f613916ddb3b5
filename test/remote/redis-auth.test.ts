// Redis with a password, an ACL user and TLS, against real servers: a spot on BEAUTYSPOT_STORE in a child process
// running dist/ (the sync form goes through the bridge's worker, the async one through the main thread).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killLeftovers, linesOf, startNode, type ChildResult } from '../helpers/node-child.js';
import { redisTlsMissing, requireRedis, startRedis, startRedisCluster, type RedisCluster, type RedisServer } from '../helpers/redis-servers.js';
import { tempDir } from '../helpers/temp-spot.js';
import { makeCertificates, type TestCertificates } from '../helpers/tls-certs.js';

const WORKER = fileURLToPath(new URL('./redis-auth-worker.mjs', import.meta.url));
const PASSWORD = 'pw-Sesame-4711';
const WRONG = 'pw-Wrong-0815';
const [ALICE, WONDERLAND] = ['alice', 'wonderland-pw'];
/** Both bodies ran once, and each second call was a hit. */
const COMPUTED = { runs: { double: 1, triple: 1 }, hits: 2, results: [42, 42, 21, 21] };
/** Nothing ran: every call was served by the store. */
const SERVED = { runs: { double: 0, triple: 0 }, hits: 4, results: [42, 42, 21, 21] };

afterAll(killLeftovers);

interface Run {
  report: typeof COMPUTED;
  /** The child's stderr lines. */
  warnings: string[];
  /** The spot's local SQLite file: it exists only when the remote could not be used. */
  local: boolean;
}

async function runSpot(store: string, env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir('bs-redis-auth-');
  const result: ChildResult = await startNode(WORKER, { args: [dir], env: { BEAUTYSPOT_STORE: store, ...env }, timeoutMs: 30_000 }).result;
  expect(result.timedOut, 'the spot hung').toBe(false);
  expect(result.code, result.stderr).toBe(0);
  return { report: JSON.parse(linesOf(result.stdout).at(-1)!), warnings: linesOf(result.stderr), local: existsSync(join(dir, 'auth.sqlite')) };
}

/** A store URL that works: the first machine computes, a second one (a fresh directory) is served, nothing warns. */
async function expectShared(store: string, env: Record<string, string> = {}): Promise<void> {
  const first = await runSpot(store, env);
  expect(first).toEqual({ report: COMPUTED, warnings: [], local: false });
  expect(await runSpot(store, env)).toEqual({ report: SERVED, warnings: [], local: false });
}

/** A store URL that cannot be used: the calls return their results from the local tier, with one warning that says why. */
async function expectRefused(store: string, why: RegExp, env: Record<string, string> = {}): Promise<string> {
  const run = await runSpot(store, env);
  expect(run.report).toEqual(COMPUTED);
  expect(run.local).toBe(true);
  expect(run.warnings, run.warnings.join('\n')).toHaveLength(1);
  const [warning] = run.warnings as [string];
  expect(warning).toMatch(/^\[beautyspot\] spot "auth": the remote store cannot be reached \(Redis at /);
  expect(warning).toMatch(why);
  for (const secret of [PASSWORD, WRONG, WONDERLAND]) expect(warning).not.toContain(secret);
  return warning;
}

const hasRedis = requireRedis('redis-auth');

describe.runIf(hasRedis)('Redis with a password (requirepass)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({ args: ['--requirepass', PASSWORD], auth: { password: PASSWORD } });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  const at = (credentials: string, path = ''): string => `redis://${credentials}@127.0.0.1:${server.port}${path}`;

  it('redis://:password@ works, sync and async: the second call hits, and a second machine runs nothing', async () => {
    await expectShared(`${at(`:${PASSWORD}`)}?prefix=p1:`);
    expect(await server.cli('--scan', '--pattern', 'p1:auth:e:*')).toMatch(/p1:auth:e:\{/);
  });

  it('/db selects the database: the entries land in db 3, none in db 0', async () => {
    await expectShared(`${at(`:${PASSWORD}`, '/3')}?prefix=db3:`);
    expect(linesOf(await server.cli('-n', '3', '--scan', '--pattern', 'db3:*')).length).toBeGreaterThan(0);
    expect(await server.cli('-n', '0', '--scan', '--pattern', 'db3:*')).toBe('');
  });

  it('a wrong password, or none, is one warning naming the redacted URL and the fix, never the password', async () => {
    const wrong = await expectRefused(at(`:${WRONG}`), /WRONGPASS.*Check the user and password in the URL/);
    expect(wrong).toContain(`Redis at redis://***@127.0.0.1:${server.port} did not answer`);
    const none = await expectRefused(`redis://127.0.0.1:${server.port}`, /NOAUTH.*Check the user and password in the URL/);
    expect(none).toContain(`Redis at redis://127.0.0.1:${server.port} did not answer`);
  });
});

describe.runIf(hasRedis)('Redis with an ACL user (the default user off)', () => {
  let server: RedisServer;
  beforeAll(async () => {
    server = await startRedis({
      args: ['--user', 'default', 'off', '--user', ALICE, 'on', `>${WONDERLAND}`, '~*', '+@all', '--user', 'reader', 'on', `>${WONDERLAND}`, '~*', '+@read'],
      auth: { user: ALICE, password: WONDERLAND },
    });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  const at = (credentials: string): string => `redis://${credentials}@127.0.0.1:${server.port}`;

  it('redis://user:password@ works, sync and async', async () => {
    await expectShared(`${at(`${ALICE}:${WONDERLAND}`)}?prefix=a1:`);
    expect(await server.cli('--scan', '--pattern', 'a1:auth:e:*')).toMatch(/a1:auth:e:\{/);
  });

  it('a wrong password, the disabled default user, or a user without write rights: one warning each, no secret in it', async () => {
    const wrong = await expectRefused(at(`${ALICE}:${WRONG}`), /WRONGPASS.*Check the user and password in the URL/);
    expect(wrong).toContain(`Redis at redis://***@127.0.0.1:${server.port} did not answer`);
    expect(wrong).not.toContain(ALICE); // the user name is part of the login, and redacted with it
    await expectRefused(`redis://127.0.0.1:${server.port}`, /NOAUTH|WRONGPASS/);
    await expectRefused(at(`reader:${WONDERLAND}`), /NOPERM.*Give the URL's ACL user all commands/);
  });
});

const tlsMissing = redisTlsMissing();
const hasTls = requireRedis('redis-auth (TLS)', tlsMissing);

describe.runIf(hasTls)('Redis over TLS (rediss://), with a password', () => {
  let server: RedisServer;
  let certs: TestCertificates;
  let certDir: string | undefined;
  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'bs-redis-tls-'));
    certs = makeCertificates(certDir);
    server = await startRedis({ args: ['--requirepass', PASSWORD, '--bind', '127.0.0.1', '127.0.0.2'], auth: { password: PASSWORD }, tls: certs });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });
  const url = (): string => `rediss://:${PASSWORD}@127.0.0.1:${server.port}`;

  it('works with the CA given the standard Node way (NODE_EXTRA_CA_CERTS), sync and async', async () => {
    await expectShared(`${url()}?prefix=tls1:`, { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(await server.cli('--scan', '--pattern', 'tls1:auth:e:*')).toMatch(/tls1:auth:e:\{/);
  });

  it('refuses a server certificate this machine does not trust: one warning, the calls return, no hang', async () => {
    const why = /certificate.*The server's TLS certificate is not trusted here: give its CA to Node with NODE_EXTRA_CA_CERTS/;
    await expectRefused(`${url()}?prefix=tls2:`, why, { NODE_EXTRA_CA_CERTS: certs.otherCa });
    await expectRefused(`${url()}?prefix=tls2:`, why, { NODE_EXTRA_CA_CERTS: '' });
    expect(await server.cli('--scan', '--pattern', 'tls2:*')).toBe('');
  });

  it('refuses a trusted certificate made out to another host (it names 127.0.0.1, the URL 127.0.0.2)', async () => {
    const warning = await expectRefused(`rediss://:${PASSWORD}@127.0.0.2:${server.port}?prefix=tls3:`, /does not match certificate/,
      { NODE_EXTRA_CA_CERTS: certs.ca });
    expect(warning).toContain("check that the certificate names the URL's host");
    expect(await server.cli('--scan', '--pattern', 'tls3:*')).toBe('');
  });
});

describe.runIf(hasTls)('Redis Cluster over TLS (rediss+cluster://), with a password', () => {
  let cluster: RedisCluster | undefined;
  let certDir: string | undefined;
  let ca: string;
  let otherCa: string;
  beforeAll(async () => {
    certDir = mkdtempSync(join(tmpdir(), 'bs-redis-cluster-tls-'));
    const certs = makeCertificates(certDir);
    ({ ca, otherCa } = certs);
    cluster = await startRedisCluster({ args: ['--requirepass', PASSWORD], auth: { password: PASSWORD }, tls: certs });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  it('the password and the CA reach every node: sync and async, a second machine served', async () => {
    const url = cluster!.url.replace('rediss+cluster://', `rediss+cluster://:${PASSWORD}@`);
    await expectShared(`${url}?prefix=c1:`, { NODE_EXTRA_CA_CERTS: ca });
  });

  it('a wrong password or an untrusted certificate: one warning that says which (a node\'s own error), no secret in it', async () => {
    const wrong = cluster!.url.replace('rediss+cluster://', `rediss+cluster://:${WRONG}@`);
    const warning = await expectRefused(`${wrong}?prefix=c2:`, /WRONGPASS.*Check the user and password in the URL/, { NODE_EXTRA_CA_CERTS: ca });
    expect(warning).toContain(`Redis at rediss+cluster://***@127.0.0.1:${cluster!.ports[0]},`);
    const right = cluster!.url.replace('rediss+cluster://', `rediss+cluster://:${PASSWORD}@`);
    await expectRefused(`${right}?prefix=c2:`, /certificate.*The server's TLS certificate is not trusted here/, { NODE_EXTRA_CA_CERTS: otherCa });
  });
});
