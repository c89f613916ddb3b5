import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import { BeautyspotError, CorruptEntryError, RemoteTimeoutError } from '../errors.js';
import { lazyBuiltin } from '../lazy-builtin.js';
import { warnOnce } from '../log.js';
import { Answer, Cell, CELLS, MAX_ID, SharedKind, SHARED_REPLY_BYTES, WorkerState, type BridgeWorkerData, type ErrorInfo, type Reply, type Request } from './bridge-protocol.js';

export { RemoteTimeoutError } from '../errors.js';

export interface BridgeTarget {
  /**
   * file: URL of an ESM module, the built .js of a runtime module: new URL('../dir/x.js', import.meta.url).href, a path
   * that holds from tsc's output and from the bundle's chunks alike (both one directory below dist/runtime).
   */
  module: string;
  /** name of an exported factory: (...args) => an object whose methods return promises */
  factory: string;
  /** structured-cloneable arguments for the factory */
  args: unknown[];
}

export interface SyncBridgeOptions {
  /** Receives the failures of posted calls (and posted calls lost with their worker); default: a warning, once per message. */
  onPostError?: (error: Error) => void;
}

/** How long a call waits for a starting worker (importing the target, running its factory), before its own timeout. */
const START_MS = 5000;
/** After a start failed, calls fail at once with its error for this long instead of starting a worker each. */
const RESTART_AFTER_MS = 1000;
/** How long posted calls may take to finish at process exit and at close. */
const DRAIN_MS = 5000;

/** One worker thread and what the main thread shares with it. */
interface Link {
  worker: Worker;
  port: MessagePort;
  cell: Int32Array;
  /** Where binary, null and undefined results arrive (bridge-protocol.ts). */
  replyArea: Uint8Array;
  exited: boolean;
  /** Why it stopped, when known. */
  failure?: Error;
}

/**
 * Runs an async object's methods in a worker thread and waits for them synchronously, so a sync marked function
 * can use a remote store. The main thread posts each request on a MessagePort and sleeps in `Atomics.wait` on
 * a shared cell the worker notifies after answering; it then reads a binary (or empty) answer from shared memory,
 * or takes any other with `receiveMessageOnPort`, so no event loop turn is needed. It never spins before sleeping:
 * on two cores the spinning thread takes the core the worker and the server need (measured: slower). The worker
 * starts on the first call and never keeps the process alive; posted calls still pending at exit are waited for
 * (at most 5 s).
 */
export class SyncBridge {
  private link: Link | undefined;
  private nextId = 0;
  private closed = false;
  private startFailure: { error: Error; at: number } | undefined;

  constructor(readonly target: BridgeTarget, private readonly options: SyncBridgeOptions = {}) {}

  /**
   * Calls `method` on the worker's object and blocks until it answers, at most `timeoutMs` (plus up to 5 s for
   * the worker to start). Binary results arrive as Uint8Array. Throws `RemoteTimeoutError` on timeout, the remote
   * error re-created (name, message, `code`) when it failed.
   */
  call<T>(method: string, args: unknown[], timeoutMs: number): T {
    const link = this.ready();
    const id = this.newId();
    Atomics.store(link.cell, Cell.awaited, id);
    try {
      link.port.postMessage([id, method, args, false] satisfies Request);
      return this.waitForAnswer<T>(link, id, method, timeoutMs);
    } finally {
      Atomics.store(link.cell, Cell.awaited, 0); // a late answer finds nothing to claim
    }
  }

  private waitForAnswer<T>(link: Link, id: number, method: string, timeoutMs: number): T {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(link.cell, Cell.answers);
      if (Atomics.load(link.cell, Cell.sharedReply) === id) return sharedReply(link) as T;
      for (let reply = this.receive(link); reply; reply = this.receive(link)) {
        if (reply[0] !== id) continue; // the late answer of a call that timed out
        if (reply[1] === Answer.value) return reply[2] as T;
        throw remoteError(reply[2] as ErrorInfo);
      }
      if (stopped(link)) throw this.lost(link, method);
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new RemoteTimeoutError(`[beautyspot] ${this.describe(method)} did not answer within ${timeoutMs} ms. ` +
          'The remote is slow or unreachable; raise the timeout if it is only slow.');
      }
      Atomics.wait(link.cell, Cell.answers, seen, left);
    }
  }

  /** Fire-and-forget (writes): returns at once; failures go to `onPostError`. `drain` waits for them. */
  post(method: string, args: unknown[]): void {
    const link = this.started();
    Atomics.add(link.cell, Cell.posted, 1);
    try {
      link.port.postMessage([this.newId(), method, args, true] satisfies Request);
    } catch (error) {
      Atomics.sub(link.cell, Cell.posted, 1);
      throw error;
    }
  }

  /** Blocks until every posted call is done, at most `timeoutMs`; throws `RemoteTimeoutError` when some are not. */
  drain(timeoutMs: number): void {
    const link = this.link;
    if (!link) return;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const pending = Atomics.load(link.cell, Cell.posted);
      this.receiveAll(link);
      if (pending === 0) return;
      if (stopped(link)) {
        this.discard(link);
        return;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        throw new RemoteTimeoutError(`[beautyspot] ${pending} posted call(s) to ${this.describe()} were not done within ${timeoutMs} ms. ` +
          'The remote is slow or unreachable.');
      }
      Atomics.wait(link.cell, Cell.posted, pending, left);
    }
  }

  /** Waits (at most 5 s) for posted calls, then ends the worker. Calls after this throw. */
  close(): void {
    if (this.closed) return;
    this.settle(DRAIN_MS);
    if (this.link) this.discard(this.link);
    this.closed = true;
    bridges.delete(this);
  }

  /** @internal `drain` whose failures go to `onPostError` (at exit and close nobody is there to catch them). */
  settle(timeoutMs: number): void {
    try {
      this.drain(timeoutMs);
    } catch (error) {
      this.postFailed(error as Error);
    }
  }

  private newId(): number {
    return (this.nextId = (this.nextId % MAX_ID) + 1);
  }

  /** The live worker, started if there is none (or the last one stopped); not waited for. */
  private started(): Link {
    if (this.closed) throw new BeautyspotError(`[beautyspot] the sync bridge to ${this.describe()} is closed. Open a new store.`);
    if (this.link && !stopped(this.link)) return this.link;
    if (this.link) this.discard(this.link);
    if (this.startFailure && performance.now() - this.startFailure.at < RESTART_AFTER_MS) throw this.startFailure.error;
    this.startFailure = undefined;
    return (this.link = this.start());
  }

  /** The live worker, once it has built its object (at most 5 s). */
  private ready(): Link {
    const link = this.started();
    const deadline = performance.now() + START_MS;
    for (;;) {
      const seen = Atomics.load(link.cell, Cell.answers);
      const state = Atomics.load(link.cell, Cell.state);
      if (state === WorkerState.ready) return link;
      if (state !== WorkerState.starting) {
        this.receiveAll(link);
        throw this.lost(link, 'start');
      }
      const left = deadline - performance.now();
      if (left <= 0) throw new RemoteTimeoutError(`[beautyspot] the sync bridge to ${this.describe()} did not start within ${START_MS} ms.`);
      Atomics.wait(link.cell, Cell.answers, seen, left);
    }
  }

  private start(): Link {
    const script = new URL('../remote/bridge-worker.js', import.meta.url);
    if (script.protocol !== 'file:' || !existsSync(fileURLToPath(script))) {
      throw new BeautyspotError(`[beautyspot] the sync bridge's worker script ${script.href} is missing: the runtime was bundled without it. ` +
        'Keep beautyspot external in your bundle, or copy bridge-worker.js and bridge-protocol.js from beautyspot/dist/runtime/remote/ ' +
        'to the directory that URL names. Async marked functions do not need the bridge.');
    }
    const shared = new SharedArrayBuffer(CELLS * Int32Array.BYTES_PER_ELEMENT + SHARED_REPLY_BYTES);
    const cell = new Int32Array(shared, 0, CELLS);
    const replyArea = new Uint8Array(shared, CELLS * Int32Array.BYTES_PER_ELEMENT, SHARED_REPLY_BYTES);
    const { MessageChannel, Worker } = threads();
    const { port1, port2 } = new MessageChannel();
    const { module, factory, args } = this.target;
    const workerData: BridgeWorkerData = { port: port2, shared, module, factory, args };
    // No inherited loader flags (--import, tsx): the worker runs built JavaScript and should start fast.
    const worker = new Worker(script, { workerData, transferList: [port2], execArgv: [] });
    worker.unref();
    const link: Link = { worker, port: port1, cell, replyArea, exited: false };
    worker.on('error', error => {
      link.failure ??= error;
    });
    worker.on('exit', () => {
      link.exited = true;
    });
    watchExit(this);
    return link;
  }

  /** The next answer, or undefined when none is waiting; the errors of posted calls are passed on on the way. */
  private receive(link: Link): Reply | undefined {
    for (;;) {
      const message = threads().receiveMessageOnPort(link.port);
      if (!message) return undefined;
      const reply = message.message as Reply;
      if (reply[1] === Answer.postedError) this.postFailed(remoteError(reply[2] as ErrorInfo));
      else if (reply[1] === Answer.startFailed) this.failedToStart(link, reply[2] as ErrorInfo);
      else return reply;
    }
  }

  private receiveAll(link: Link): void {
    while (this.receive(link)) {
      // answers of calls that timed out: dropped
    }
  }

  private failedToStart(link: Link, info: ErrorInfo): void {
    const error = new BeautyspotError(`[beautyspot] the sync bridge cannot start ${this.describe()}: ${info.message}. ` +
      'Check that the module is built and exports that factory, and that its arguments are right.');
    link.failure = error;
    this.startFailure = { error, at: performance.now() };
  }

  /** The error for a call whose worker stopped; the next call starts a new one. */
  private lost(link: Link, method: string): Error {
    this.receiveAll(link);
    this.discard(link);
    if (link.failure instanceof BeautyspotError) return link.failure;
    return new BeautyspotError(`[beautyspot] the worker of the sync bridge stopped during ${this.describe(method)}` +
      `${link.failure ? ` (${link.failure.message})` : ''}; the next call starts a new one.`);
  }

  /** Ends a worker; posted calls it had not done are reported as lost. */
  private discard(link: Link): void {
    if (this.link === link) this.link = undefined;
    const pending = Atomics.exchange(link.cell, Cell.posted, 0);
    if (pending > 0) {
      this.postFailed(new BeautyspotError(`[beautyspot] ${pending} posted call(s) to ${this.describe()} were lost: ` +
        `its worker stopped${link.failure ? ` (${link.failure.message})` : ''}.`));
    }
    link.port.close();
    void link.worker.terminate().catch(() => {});
  }

  private postFailed(error: Error): void {
    (this.options.onPostError ?? ((e: Error) => warnOnce(e.message)))(error);
  }

  private describe(method?: string): string {
    return `${this.target.factory}(…)${method ? `.${method}` : ''} of ${this.target.module}`;
  }
}

/** The shared answer, copied out: the area is reused by the next call. */
function sharedReply(link: Link): unknown {
  const kind = Atomics.load(link.cell, Cell.sharedKind);
  if (kind === SharedKind.null) return null;
  if (kind === SharedKind.undefined) return undefined;
  return link.replyArea.slice(0, Atomics.load(link.cell, Cell.sharedLength));
}

function stopped(link: Link): boolean {
  return link.exited || Atomics.load(link.cell, Cell.state) >= WorkerState.failed;
}

/** The runtime's own errors that callers tell apart by class: a damaged entry is a miss, not an outage. */
const KNOWN: Record<string, new (message: string) => Error> = { CorruptEntryError, RemoteTimeoutError };

function remoteError(info: ErrorInfo): Error {
  const error = new (KNOWN[info.name] ?? Error)(info.message) as Error & { code?: unknown };
  error.name = info.name;
  if (info.code !== undefined) error.code = info.code;
  if (info.stack !== undefined) error.stack = info.stack;
  return error;
}

const bridges = new Set<SyncBridge>();
let watching = false;

/** Registered with the first worker, never at import: posted writes still pending at a normal exit are waited for. */
function watchExit(bridge: SyncBridge): void {
  bridges.add(bridge);
  if (watching) return;
  watching = true;
  process.once('exit', () => {
    const deadline = performance.now() + DRAIN_MS;
    for (const each of bridges) each.settle(Math.max(0, deadline - performance.now()));
  });
}

type WorkerThreads = typeof import('node:worker_threads');
let workerThreads: WorkerThreads | undefined;

function threads(): WorkerThreads {
  return (workerThreads ??= lazyBuiltin<WorkerThreads>('node:worker_threads'));
}
