import type * as Redis from 'redis';
import { createRequire } from 'node:module';
import { BeautyspotError } from '../errors.js';
import { ACCESS_REFUSED, RedisUnavailableError } from './redis-errors.js';
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

interface Pending {
  deadline: number;
  reject(error: unknown): void;
}
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
  /** Commands sent and not yet answered; the watchdog fails those past their deadline. */
  private readonly pending = new Set<Pending>();
  private retries = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastError: unknown;

  constructor(readonly target: RedisTarget, private readonly connectTimeoutMs: number, private readonly commandTimeoutMs: number) {}

  /**
   * Sends one command, routed by `key` on a cluster. Every failure is a `RedisUnavailableError` or Redis's own error
   * reply, and every command settles within commandTimeoutMs (plus connectTimeoutMs while the first connection is
   * made): node-redis's own timeout stops only at the socket write, not at the reply.
   */
  send(key: string, args: RedisArg[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new RedisUnavailableError(this.target.redacted, 'the store was closed'));
    if (this.send_ === undefined) this.open();
    return new Promise((resolve, reject) => {
      const waiting = this.firstConnect;
      const command: Pending = { deadline: performance.now() + this.commandTimeoutMs + (waiting ? this.connectTimeoutMs : 0), reject };
      this.hold(command);
      (waiting ? waiting.then(() => this.send_!(key, args)) : this.send_!(key, args)).then(value => {
        if (this.release(command)) resolve(value);
      }, error => {
        if (this.release(command)) reject(this.unavailable(error));
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.commander?.destroy();
    this.expire(Infinity);
  }

  private open(): void {
    const redis = loadRedis();
    // No node-redis timeout: it ends at the socket write (the watchdog bounds the reply) and costs a timer per command.
    const commandOptions = { timeout: undefined, typeMapping: { [redis.RESP_TYPES.BLOB_STRING]: Buffer } };
    // Reconnection is ours (below): node-redis waits between attempts on a ref'd timer, which would keep an
    // idle process alive while the server is down.
    const socket = { connectTimeout: this.connectTimeoutMs, reconnectStrategy: false as const };
    // The watchdog is ref'd only while commands are pending: it is what keeps the process alive for a reply.
    this.watchdog = setInterval(() => this.expire(performance.now()), Math.max(10, this.commandTimeoutMs / 4)).unref();
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
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs).unref();
    });
    const attempt = this.attempt();
    return Promise.race([attempt.then(() => {
      if (!this.connected) throw this.lastError ?? new Error('the connection failed');
    }), timeout]).finally(() => clearTimeout(timer));
  }

  private attempt(): Promise<void> {
    const before = this.lastError;
    return this.commander!.connect().then(() => {
      this.connected = true;
      this.retries = 0;
    }, error => {
      // A cluster that reached no root node says only that; the error a root node emitted meanwhile says why.
      const vague = redisModule !== undefined && error instanceof redisModule.RootNodesUnavailableError && this.lastError !== before;
      if (!vague) this.lastError = error;
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

  private hold(command: Pending): void {
    if (this.pending.size === 0) this.watchdog?.ref();
    this.pending.add(command);
  }

  /** False when the watchdog already failed the command. */
  private release(command: Pending): boolean {
    if (!this.pending.delete(command)) return false;
    if (this.pending.size === 0) this.watchdog?.unref();
    return true;
  }

  private expire(now: number): void {
    for (const command of this.pending) {
      if (command.deadline > now) continue;
      this.release(command);
      command.reject(new RedisUnavailableError(this.target.redacted, this.closed ? 'the store was closed' : `no reply within ${this.commandTimeoutMs} ms`));
    }
    if (this.closed && this.pending.size === 0) clearInterval(this.watchdog);
  }

  private unavailable(error: unknown): unknown {
    // Redis's own error replies (a script error, a wrong type) are passed on as they are; the rest means no answer,
    // and so does a refused login (it names no URL, and the store is as unusable as when the server is down).
    const loaded = redisModule;
    if (loaded && error instanceof loaded.ErrorReply && !ACCESS_REFUSED.test(error.message)) return error;
    return new RedisUnavailableError(this.target.redacted, error);
  }
}
