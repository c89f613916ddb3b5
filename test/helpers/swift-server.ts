// A single-node OpenStack Swift with its s3api middleware: a real S3-compatible server for the tests and the bench.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePorts } from './free-ports.js';

export interface SwiftServer {
  /** `http://127.0.0.1:<proxy port>`, path-style S3. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** How long the start took, ms. */
  startMs: number;
  /** Kills every process the start spawned and removes the temp dir. */
  stop(): Promise<void>;
}

const SERVERS = ['object', 'container', 'account'] as const;
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'test:tester', secretAccessKey: 'testing' };

/** Why Swift cannot be started here, or undefined when it can. */
export function swiftMissing(): string | undefined {
  for (const bin of ['swift-proxy-server', 'swift-ring-builder', ...SERVERS.map(s => `swift-${s}-server`)]) {
    if (!which(bin)) return `${bin} is not installed (Debian: apt-get install swift-proxy swift-account swift-container swift-object)`;
  }
  return undefined;
}

/** Starts Swift in a fresh temp dir on free loopback ports and resolves once S3 ListBuckets answers. */
export async function startSwift({ timeoutMs = 60_000 } = {}): Promise<SwiftServer> {
  const started = performance.now();
  const dir = mkdtempSync(join(os.tmpdir(), 'beautyspot-swift-'));
  const ports = await freePorts(SERVERS.length + 1);
  const proxyPort = ports[SERVERS.length];
  const children: ChildProcess[] = [];
  const killAll = (): void => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  // A test runner or bench child that dies midway must not leave Swift running.
  process.once('exit', killAll);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killAll);
    await Promise.all(children.map(child => ended(child, 5_000)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    writeConfigs(dir, ports);
    buildRings(dir, ports);
    for (const server of [...SERVERS, 'proxy']) children.push(launch(dir, server));
    const endpoint = `http://127.0.0.1:${proxyPort}`;
    const client = new S3Client({ endpoint, region: REGION, credentials: CREDENTIALS, forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', maxAttempts: 1 });
    await waitUntilReady(client, children, dir, timeoutMs);
    return {
      endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      startMs: performance.now() - started,
      async stop() {
        client.destroy();
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function writeConfigs(dir: string, ports: number[]): void {
  mkdirSync(join(dir, 'devices', 'd1'), { recursive: true });
  mkdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'swift.conf'),
    '[swift-hash]\nswift_hash_path_suffix = beautyspot-test\n[storage-policy:0]\nname = Policy-0\ndefault = yes\n');
  const common = (port: number): string => [
    '[DEFAULT]', `swift_dir = ${dir}`, `devices = ${join(dir, 'devices')}`, 'mount_check = false', 'bind_ip = 127.0.0.1',
    `bind_port = ${port}`, 'workers = 0', `user = ${os.userInfo().username}`, 'log_level = WARNING',
    `recon_cache_path = ${join(dir, 'cache')}`, '',
  ].join('\n');
  for (const [i, server] of SERVERS.entries()) {
    writeFileSync(join(dir, `${server}-server.conf`), common(ports[i]) +
      `[pipeline:main]\npipeline = ${server}-server\n[app:${server}-server]\nuse = egg:swift#${server}\n` +
      `[${server}-replicator]\n[${server}-updater]\n[${server}-auditor]\n`);
  }
  writeFileSync(join(dir, 'proxy-server.conf'), common(ports[SERVERS.length]) + [
    '[pipeline:main]',
    // s3api turns multipart uploads into static large objects: slo must follow the auth middleware.
    'pipeline = catch_errors proxy-logging cache s3api tempauth slo proxy-logging proxy-server',
    '[app:proxy-server]', 'use = egg:swift#proxy', 'account_autocreate = true',
    '[filter:tempauth]', 'use = egg:swift#tempauth', 'user_test_tester = testing .admin',
    '[filter:s3api]', 'use = egg:swift#s3api', `location = ${REGION}`,
    // No memcached: the cache filter only warns, and S3 clients never use tempauth's tokens.
    '[filter:cache]', 'use = egg:swift#memcache',
    '[filter:slo]', 'use = egg:swift#slo',
    '[filter:catch_errors]', 'use = egg:swift#catch_errors',
    '[filter:proxy-logging]', 'use = egg:swift#proxy_logging', '',
  ].join('\n'));
}

/**
 * The three rings, one replica on one device each: the smallest Swift accepts. Built by swift-ring-builder's
 * own RingBuilder in one Python process (nine swift-ring-builder runs took ≈ 10 s of a 13 s start).
 */
function buildRings(dir: string, ports: number[]): void {
  const python = readFileSync(which('swift-ring-builder')!, 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').trim();
  const rings = SERVERS.map((server, i) => `('${server}', ${ports[i]})`).join(', ');
  execFileSync(python, ['-c', [
    'from swift.common.ring import RingBuilder',
    `for name, port in (${rings}):`,
    '    builder = RingBuilder(6, 1, 1)',
    "    builder.add_dev({'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': port, 'device': 'd1', 'weight': 1})",
    '    builder.rebalance()',
    "    builder.get_ring().save(name + '.ring.gz')",
  ].join('\n')], { cwd: dir, stdio: 'pipe' });
}

function launch(dir: string, server: string): ChildProcess {
  const log = openSync(join(dir, `${server}.log`), 'w');
  try {
    return spawn(`swift-${server}-server`, [join(dir, `${server}-server.conf`)], { cwd: dir, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
}

async function waitUntilReady(client: S3Client, children: ChildProcess[], dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const dead = children.find(child => child.exitCode !== null || child.signalCode !== null);
    if (dead) throw new Error(`Swift: ${dead.spawnargs[0]} exited (${dead.exitCode ?? dead.signalCode}) while starting.\n${logs(dir)}`);
    try {
      await client.send(new ListBucketsCommand({}), { abortSignal: AbortSignal.timeout(2_000) });
      return;
    } catch (error) {
      last = error;
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Swift did not answer S3 ListBuckets within ${timeoutMs} ms (last: ${(last as Error)?.message}).\n${logs(dir)}`);
}

function logs(dir: string): string {
  return [...SERVERS, 'proxy'].map(server => {
    const file = join(dir, `${server}.log`);
    const text = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').slice(-10).join('\n') : '';
    return text ? `--- ${server}.log\n${text}` : '';
  }).filter(Boolean).join('\n');
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
function ended(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise(resolve => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function which(bin: string): string | undefined {
  return (process.env.PATH ?? '').split(':').map(dir => dir && join(dir, bin)).find(path => path && existsSync(path));
}
