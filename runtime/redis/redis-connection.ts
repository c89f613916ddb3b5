import type * as Redis from 'redis';
import { createRequire } from 'node:module';
import { BeautyspotError } from '../errors.js';
import { RedisUnavailableError } from './redis-errors.js';
import type { RedisTarget } from './redis-url.js';

export type RedisArg = string | Buffer;

/** What this store needs of a node-redis client or cluster: raw commands, replies as Buffers (RESP2). */
interface Commander {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  connect(): Promise<unknown>;
  destroy(): void;
}

let redisModule: typeof Redis | undefined;

/** node-redis is an optional peer: loaded on the first store that connects, never at import. */
function loadRedis(): typeof Redis {
  try {
    return (redisModule ??= createRequire(import.meta.url)('redis') as typeof Redis);
  } catch (error) {
    throw new BeautyspotError('[beautyspot] RedisStore needs node-redis (the redis package, version 5 or later), which cannot be loaded here. ' +
      'Install it next to beautyspot: npm install redis', { cause: error });
  }
}

const NOOP = (): void => {};
const MAX_BACKOFF_MS = 2000;

/**
 * One connection (a client, or a cluster of them) with the store's fault policy: the first commands wait for the
 * first connection up to `connectTimeoutMs`; after that a command while disconnected fails at once (no offline
 * queue) and reconnection runs in the background with backoff. Sockets and timers are unref'd; a ref'd timer is
 * held only while commands are pending, so an idle connection never keeps the process alive.
 */
export class RedisConnection {
  private commander: Commander | undefined;
  private send_: ((key: string, args: RedisArg[]) => Promise<unknown>) | undefined;
  private firstConnect: Promise<void> | undefined;
  private connected = false;
  private pending = 0;
  private retries = 0;
  private keepAlive: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastError: unknown;

  constructor(readonly target: RedisTarget, private readonly connectTimeoutMs: number, private readonly commandTimeoutMs: number) {}

  /** Sends one command, routed by `key` on a cluster; every failure is a `RedisUnavailableError` or Redis's own error reply. */
  send(key: string, args: RedisArg[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new RedisUnavailableError(this.target.redacted, 'the store was closed'));
    if (this.send_ === undefined) this.open();
    this.hold();
    const reply = this.firstConnect ? this.firstConnect.then(() => this.send_!(key, args)) : this.send_!(key, args);
    return reply.then(value => {
      this.release();
      return value;
    }, error => {
      this.release();
      throw this.unavailable(error);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.keepAlive);
    this.commander?.destroy();
  }

  private open(): void {
    const redis = loadRedis();
    const commandOptions = { timeout: this.commandTimeoutMs, typeMapping: { [redis.RESP_TYPES.BLOB_STRING]: Buffer } };
    // Reconnection is ours (below): node-redis waits between attempts on a ref'd timer, which would keep an
    // idle process alive while the server is down.
    const socket = { connectTimeout: this.connectTimeoutMs, reconnectStrategy: false as const };
    this.keepAlive = setInterval(NOOP, 2 ** 30).unref();
    if (this.target.mode === 'single') {
      const client = redis.createClient({ url: this.target.nodes[0], socket, RESP: 2, disableOfflineQueue: true, commandOptions });
      client.unref();
      this.commander = client as unknown as Commander;
      this.send_ = (_key, args) => client.sendCommand(args);
    } else {
      const first = new URL(this.target.nodes[0]!);
      const cluster = redis.createCluster({
        rootNodes: this.target.nodes.map(url => ({ url })),
        defaults: {
          username: first.username ? decodeURIComponent(first.username) : undefined,
          password: first.password ? decodeURIComponent(first.password) : undefined,
          socket: { ...socket, tls: first.protocol === 'rediss:' },
          disableOfflineQueue: true,
        },
        RESP: 2,
        commandOptions,
      });
      // A cluster creates a client per node as it discovers them: each is unref'd as soon as it connects.
      const unrefNodes = (): void => {
        for (const node of [...cluster.masters, ...cluster.replicas]) node.client?.unref();
      };
      cluster.on('node-connect', unrefNodes);
      cluster.on('node-error', error => (this.lastError = error));
      this.commander = cluster as unknown as Commander;
      this.send_ = (key, args) => cluster.sendCommand(key, false, args);
    }
    this.commander.on('error', error => (this.lastError = error)); // never an unhandled 'error'
    this.commander.on('terminated', () => this.scheduleReconnect());
    this.firstConnect = this.connectBounded().finally(() => (this.firstConnect = undefined));
  }

  /** The first connection, waited for at most connectTimeoutMs; a failure there is the waiting commands' failure. */
  private connectBounded(): Promise<void> {
    this.hold();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    });
    const attempt = this.attempt();
    return Promise.race([attempt.then(() => {
      if (!this.connected) throw this.lastError ?? new Error('the connection failed');
    }), timeout]).finally(() => {
      clearTimeout(timer);
      this.release();
    });
  }

  private attempt(): Promise<void> {
    return this.commander!.connect().then(() => {
      this.connected = true;
      this.retries = 0;
    }, error => {
      this.lastError = error;
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    this.connected = false;
    if (this.closed || this.reconnectTimer !== undefined) return;
    const delay = Math.min(50 * 2 ** this.retries++, MAX_BACKOFF_MS) + Math.floor(Math.random() * 100);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.closed) void this.attempt();
    }, delay).unref();
  }

  private hold(): void {
    if (this.pending++ === 0) this.keepAlive?.ref();
  }

  private release(): void {
    if (--this.pending === 0) this.keepAlive?.unref();
  }

  private unavailable(error: unknown): unknown {
    // Redis's own error replies (a script error, a wrong type) are passed on as they are; the rest means no answer.
    const loaded = redisModule;
    if (loaded && error instanceof loaded.ErrorReply) return error;
    return new RedisUnavailableError(this.target.redacted, error);
  }
}
