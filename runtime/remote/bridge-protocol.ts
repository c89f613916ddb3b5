import type { MessagePort } from 'node:worker_threads';

/**
 * What the sync bridge and its worker share, per worker: one SharedArrayBuffer holding `CELLS` Int32 cells (the
 * main thread sleeps in `Atomics.wait` on a cell the worker bumps and notifies), then the shared reply area.
 */
export const Cell = {
  /** Bumped after every answer (posted to the port or written to the shared area). */
  answers: 0,
  /** Posted (fire-and-forget) calls not yet settled. */
  posted: 1,
  /** A `WorkerState`. */
  state: 2,
  /**
   * The id of the call the main thread is waiting for (0: none). The worker claims it for a shared reply by
   * swapping in `-id`, so the answer of a call the caller gave up on is never written over another's.
   */
  awaited: 3,
  /** The id whose shared reply is complete: set last, after the bytes. */
  sharedReply: 4,
  /** A `SharedKind`. */
  sharedKind: 5,
  /** Bytes of a `SharedKind.bytes` reply. */
  sharedLength: 6,
} as const;

export const CELLS = 8;

/**
 * Binary, null and undefined results up to this size come back through shared memory: the caller reads them
 * without a `receiveMessageOnPort` and the worker writes them without a structured clone. It holds any inline
 * entry (values up to the default 64 KiB blob threshold, plus a record header); larger results use the port.
 */
export const SHARED_REPLY_BYTES = 65 * 1024;

export const SharedKind = {
  bytes: 0,
  null: 1,
  undefined: 2,
} as const;

/** Call ids live in an Int32 cell (and are negated there): they wrap below 2^31. */
export const MAX_ID = 0x7fffffff;

export const WorkerState = {
  starting: 0,
  ready: 1,
  /** The target module or its factory failed; the failure was posted as a `startFailed` answer. */
  failed: 2,
  /** The thread is ending (its `exit` event ran): nothing more will be answered. */
  stopped: 3,
} as const;

export const Answer = {
  value: 0,
  error: 1,
  /** The error of a posted call. */
  postedError: 2,
  startFailed: 3,
} as const;

/** main → worker: id, method, arguments, whether it was posted (nobody waits for its value). */
export type Request = [id: number, method: string, args: unknown[], posted: boolean];
/** worker → main. */
export type Reply = [id: number, kind: number, payload: unknown];

/** An error as it crosses threads: structured clone keeps neither its class nor `code`. */
export interface ErrorInfo {
  name: string;
  message: string;
  code?: unknown;
  stack?: string;
}

export interface BridgeWorkerData {
  port: MessagePort;
  /** The `CELLS` cells and the reply area after them (`SHARED_REPLY_BYTES`), over one SharedArrayBuffer. */
  shared: SharedArrayBuffer;
  module: string;
  factory: string;
  args: unknown[];
}
