import type { MessagePort } from 'node:worker_threads';

/**
 * What the sync bridge and its worker share. One Int32Array over a SharedArrayBuffer, per worker:
 * the main thread sleeps in `Atomics.wait` on a cell the worker bumps and notifies.
 */
export const Cell = {
  /** Bumped after every answer posted to the main thread. */
  answers: 0,
  /** Posted (fire-and-forget) calls not yet settled. */
  posted: 1,
  /** A `WorkerState`. */
  state: 2,
} as const;

export const CELLS = 3;

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
  cell: Int32Array;
  module: string;
  factory: string;
  args: unknown[];
}
