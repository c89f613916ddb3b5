import { workerData } from 'node:worker_threads';
import { Answer, Cell, CELLS, SharedKind, SHARED_REPLY_BYTES, WorkerState, type BridgeWorkerData, type ErrorInfo, type Reply, type Request } from './bridge-protocol.js';

// The thread of a SyncBridge: builds the target object once, then runs each request on it and answers through
// shared memory (binary, null, undefined) or the port (the rest), bumping the shared cell the main thread sleeps on.

type Target = Record<string, unknown>;

const { port, shared, module, factory, args } = workerData as BridgeWorkerData;
const cell = new Int32Array(shared, 0, CELLS);
const replyArea = new Uint8Array(shared, CELLS * Int32Array.BYTES_PER_ELEMENT, SHARED_REPLY_BYTES);

// Runs on every way out of the thread (an uncaught error included), so a blocked caller wakes at once.
process.once('exit', () => {
  Atomics.store(cell, Cell.state, WorkerState.stopped);
  wake();
});

let target: Target | undefined;
const ready = start().then(
  built => {
    target = built;
    Atomics.store(cell, Cell.state, WorkerState.ready);
    wake();
  },
  error => {
    port.postMessage([0, Answer.startFailed, errorInfo(error)] satisfies Reply);
    Atomics.store(cell, Cell.state, WorkerState.failed);
    wake();
    port.close();
  });

port.on('message', (request: Request) => {
  if (target) void run(target, request);
  else void ready.then(() => target && run(target, request));
});

async function start(): Promise<Target> {
  const exports = (await import(module)) as Record<string, unknown>;
  const make = exports[factory];
  if (typeof make !== 'function') throw new TypeError(`${module} has no exported function "${factory}"`);
  const built = (await make(...args)) as unknown;
  if (typeof built !== 'object' || built === null) throw new TypeError(`${factory}(…) returned ${String(built)}, not an object`);
  return built as Target;
}

async function run(on: Target, [id, method, callArgs, posted]: Request): Promise<void> {
  try {
    const fn = on[method];
    if (typeof fn !== 'function') throw new TypeError(`[beautyspot] the bridge target ${factory} has no method "${method}"`);
    const value = (await fn.apply(on, callArgs)) as unknown;
    if (!posted && !answerShared(id, value)) answer([id, Answer.value, value], transferables(value));
  } catch (error) {
    answer([id, posted ? Answer.postedError : Answer.error, errorInfo(error)]);
  } finally {
    if (posted) {
      Atomics.sub(cell, Cell.posted, 1);
      Atomics.notify(cell, Cell.posted);
    }
  }
}

function answer(reply: Reply, transfer: ArrayBuffer[] = []): void {
  try {
    port.postMessage(reply, transfer);
  } catch (error) {
    // A value structured clone cannot carry (a function, a class with private state): the caller gets why.
    port.postMessage([reply[0], Answer.error, errorInfo(error)] satisfies Reply);
  }
  Atomics.add(cell, Cell.answers, 1);
  Atomics.notify(cell, Cell.answers);
}

/**
 * Writes the result into the shared reply area when it is binary (and fits), null or undefined; false when it must
 * go through the port. The area is claimed by swapping the awaited id for its negation: a call the caller stopped
 * waiting for has nothing to claim, and its answer is dropped like a late answer on the port.
 */
function answerShared(id: number, value: unknown): boolean {
  const kind = value === null ? SharedKind.null : value === undefined ? SharedKind.undefined
    : value instanceof Uint8Array && value.byteLength <= SHARED_REPLY_BYTES ? SharedKind.bytes : -1;
  if (kind < 0) return false;
  if (Atomics.compareExchange(cell, Cell.awaited, id, -id) !== id) return true;
  if (kind === SharedKind.bytes) {
    replyArea.set(value as Uint8Array);
    Atomics.store(cell, Cell.sharedLength, (value as Uint8Array).byteLength);
  }
  Atomics.store(cell, Cell.sharedKind, kind);
  Atomics.store(cell, Cell.sharedReply, id);
  Atomics.add(cell, Cell.answers, 1);
  Atomics.notify(cell, Cell.answers);
  return true;
}

function wake(): void {
  Atomics.add(cell, Cell.answers, 1);
  Atomics.notify(cell, Cell.answers);
  Atomics.notify(cell, Cell.posted);
}

/**
 * The buffers of binary results (the value itself, or one level inside an object or array: a StoredValue's
 * `value`), moved instead of copied. Only buffers a view covers whole: a small Buffer shares Node's pool with
 * others, which moving would detach.
 */
function transferables(value: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const add = (item: unknown): void => {
    if (item instanceof Uint8Array && item.buffer instanceof ArrayBuffer && item.byteOffset === 0 && item.byteLength === item.buffer.byteLength) {
      found.add(item.buffer);
    }
  };
  add(value);
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) for (const item of Object.values(value)) add(item);
  return [...found];
}

function errorInfo(error: unknown): ErrorInfo {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const info: ErrorInfo = { name: error.name, message: error.message };
  if (error.stack !== undefined) info.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) info.code = typeof code === 'string' || typeof code === 'number' ? code : String(code);
  return info;
}
