import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, freePorts } from './free-ports.js';

export { freePort };

const run = promisify(execFile);

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, or `rediss://…` with `tls`; never with credentials (add them yourself). */
  url: string;
  port: number;
  /** Runs redis-cli against it (authenticated, over TLS when it serves TLS) and returns its output. */
  cli(...args: string[]): Promise<string>;
  /** Stops the server (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGKILLs the server. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after stop or kill). */
  restart(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that holds its connections and answers nothing. */
  pause(): void;
  resume(): void;
}

export interface RedisServerOptions {
  /** More redis-server arguments, e.g. ['--requirepass', 'pw'] or ['--user', 'alice', 'on', '>pw', '~*', '+@all']. */
  args?: string[];
  /** How redis-cli logs in (readiness check, `cli`) when the server asks for a password. */
  auth?: { user?: string; password: string };
  /** Serve TLS only (the plain port off) with these PEM files; redis-cli trusts `ca`. */
  tls?: { cert: string; key: string; ca: string };
}

export interface RedisCluster {
  url: string;
  ports: number[];
  stop(): Promise<void>;
}

/** Why Redis tests cannot run here, or undefined when redis-server and redis-cli are installed. */
export function redisMissing(): string | undefined {
  for (const tool of ['redis-server', 'redis-cli']) {
    if (spawnSync(tool, ['--version']).error) return `${tool} is not installed (apt-get install redis-server)`;
  }
  return undefined;
}

/** Why TLS tests cannot run here (redis built without TLS, or no openssl), or undefined. */
export function redisTlsMissing(): string | undefined {
  const missing = redisMissing();
  if (missing) return missing;
  // redis-cli and redis-server come from one build; one without TLS does not know `--tls`.
  if (spawnSync('redis-cli', ['--tls', '--version']).status !== 0) return 'redis-cli was built without TLS (build Redis with BUILD_TLS=yes)';
  if (spawnSync('openssl', ['version']).error) return 'openssl is not installed (apt-get install openssl)';
  return undefined;
}

/** Skip locally with a printed reason; in CI a missing server is a failure. */
export function requireRedis(suite: string, missing = redisMissing()): boolean {
  if (!missing) return true;
  if (process.env.CI) throw new Error(`[${suite}] this test needs Redis: ${missing}`);
  console.warn(`[${suite}] skipped: ${missing}`);
  return false;
}

/** redis-cli's login and TLS arguments. */
function loginArgs({ auth, tls }: RedisServerOptions): string[] {
  return [...(auth ? [...(auth.user ? ['--user', auth.user] : []), '--pass', auth.password, '--no-auth-warning'] : []),
    ...(tls ? ['--tls', '--cacert', tls.ca] : [])];
}

function cliArgs(port: number, options: RedisServerOptions = {}): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), ...loginArgs(options)];
}

async function ping(connect: string[], ready: (out: string) => boolean, command: string[] = ['PING']): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', [...connect, ...command], { timeout: 2000 });
    return ready(stdout);
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`redis test server: ${what} did not happen within ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

function spawnServer(port: number, dir: string, extra: string[], tls?: RedisServerOptions['tls']): ChildProcess {
  const ports = tls
    ? ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca,
        '--tls-auth-clients', 'no']
    : ['--port', String(port)];
  const child = spawn('redis-server', [...ports, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
    { stdio: 'ignore' });
  child.on('error', () => {});
  return child;
}

async function ended(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise(resolve => child.once('exit', resolve));
  child.kill(signal);
  await done;
}

/** A server that exits before it answers: its port was taken between the pick and the start, or its arguments are wrong. */
class ServerExited extends Error {}

/** Starts again on new ports when a server exits before it answers (a port taken by another process), up to 3 times. */
async function onFreshPorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      if (!(error instanceof ServerExited) || attempt >= attempts) throw error;
    }
  }
}

/** A fresh redis-server on a free loopback port with its own temp dir; ready when PING answers. */
export function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  return onFreshPorts(() => tryStartRedis(options));
}

async function tryStartRedis(options: RedisServerOptions): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'beautyspot-redis-'));
  const connect = cliArgs(port, options);
  let child: ChildProcess;
  const start = async (): Promise<void> => {
    const server = (child = spawnServer(port, dir, options.args ?? [], options.tls));
    try {
      await waitFor(`PING on port ${port}`, () => (server.exitCode === null ? ping(connect, out => out.includes('PONG'))
        : Promise.reject(new ServerExited(`redis-server on port ${port} exited with code ${server.exitCode}: check its arguments`))));
    } catch (error) {
      await ended(server, 'SIGKILL');
      throw error;
    }
  };
  try {
    await start();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `${options.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    port,
    cli: async (...args) => (await run('redis-cli', [...connect, ...args], { timeout: 5000 })).stdout,
    stop: async () => {
      child.kill('SIGCONT');
      await ended(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => ended(child, 'SIGKILL'),
    restart: start,
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
  };
}

/**
 * Three masters joined by `redis-cli --cluster create`; ready when CLUSTER INFO says cluster_state:ok. With `tls`,
 * the nodes talk TLS to clients and to each other, and the URL is rediss+cluster://.
 */
export function startRedisCluster(options: RedisServerOptions = {}): Promise<RedisCluster> {
  return onFreshPorts(() => tryStartRedisCluster(options));
}

async function tryStartRedisCluster(options: RedisServerOptions): Promise<RedisCluster> {
  // Each node's cluster bus gets a free port of its own: the default, port + 10000, is past 65535 for ports above 55535.
  const [ports, busPorts] = await freePorts(6).then(all => [all.slice(0, 3), all.slice(3)]);
  const dir = mkdtempSync(join(tmpdir(), 'beautyspot-redis-cluster-'));
  const children = ports.map((port, i) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir);
    return spawnServer(port, nodeDir, ['--cluster-enabled', 'yes', '--cluster-port', String(busPorts[i]), '--cluster-config-file', join(nodeDir, 'nodes.conf'),
      '--cluster-node-timeout', '2000', ...(options.tls ? ['--tls-cluster', 'yes'] : []), ...(options.args ?? [])], options.tls);
  });
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(child => ended(child, 'SIGTERM')));
    rmSync(dir, { recursive: true, force: true });
  };
  const alive = (i: number, check: () => Promise<boolean>) => () => (children[i]!.exitCode === null ? check()
    : Promise.reject(new ServerExited(`redis cluster node on port ${ports[i]} exited with code ${children[i]!.exitCode}`)));
  try {
    for (const [i, port] of ports.entries()) {
      await waitFor(`PING on port ${port}`, alive(i, () => ping(cliArgs(port, options), out => out.includes('PONG'))));
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes',
      ...loginArgs(options)], { timeout: 30_000 });
    for (const [i, port] of ports.entries()) {
      await waitFor(`cluster_state:ok on port ${port}`,
        alive(i, () => ping(cliArgs(port, options), out => out.includes('cluster_state:ok'), ['CLUSTER', 'INFO'])));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `${options.tls ? 'rediss' : 'redis'}+cluster://${ports.map(p => `127.0.0.1:${p}`).join(',')}`, ports, stop };
}
