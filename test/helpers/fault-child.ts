import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { linesOf, startNode, type ChildResult, type NodeChild } from './node-child.js';

const CHILD = fileURLToPath(new URL('../reliability/fault-child.mjs', import.meta.url));

/** What test/reliability/fault-child.mjs is asked to do (see its header). */
export interface FaultJob {
  action?: 'calls' | 'hold' | 'around-lock' | 'lock';
  dir?: string;
  /** Workload calls from..to-1. */
  from?: number;
  to?: number;
  /** The SQLite file whose write lock `lock` holds. */
  file?: string;
  /** Run as this user and group id. */
  uid?: number;
  waitForGo?: boolean;
}

/** One fault child's report: call ids by what happened to them. */
export interface CallOutcome {
  calls: number;
  /** Calls whose body did not run. */
  hits: number[];
  /** Calls whose body ran and whose result was stored. */
  stored: number[];
  /** Calls whose body ran and whose result was not stored (reported, or the store is read-only). */
  notStored: number[];
  /** Calls that returned another value than the function's. */
  wrong: number[];
  /** Calls that threw anything but CacheMissError. */
  throws: string[];
  missErrors: number[];
  slowestMs: number;
  warnings: string[];
  events: { kind: string; at: number; code?: string; message: string }[];
}

export interface FaultChildOptions {
  env?: Record<string, string>;
  onLine?: (line: string) => void;
}

export function startFaultChild(job: FaultJob, options: FaultChildOptions = {}): NodeChild {
  return startNode(CHILD, { args: [JSON.stringify(job)], timeoutMs: 60_000, ...options });
}

/** The outcome a finished fault child printed last; it must have exited cleanly with nothing on stderr. */
export function outcomeOf(result: ChildResult, what: string): CallOutcome {
  expect(result.timedOut, `${what}: the child timed out`).toBe(false);
  expect(linesOf(result.stderr), `${what}: the child printed on stderr`).toEqual([]);
  expect(result.code, `${what}: the child failed`).toBe(0);
  const outcome = JSON.parse(linesOf(result.stdout).find(line => line.startsWith('{')) ?? 'null') as CallOutcome | null;
  expect(outcome, `${what}: the child printed no outcome`).not.toBeNull();
  return outcome!;
}

/** Runs a fault child to its end. */
export async function runFaultChild(job: FaultJob, what: string, options: FaultChildOptions = {}): Promise<CallOutcome> {
  return outcomeOf(await startFaultChild(job, options).result, what);
}

/** Every call returned the function's value and nothing but CacheMissError was thrown. */
export function expectRightValues(outcome: CallOutcome, what: string): void {
  expect(outcome.wrong, `${what}: calls that returned a wrong value`).toEqual([]);
  expect(outcome.throws, `${what}: calls that threw`).toEqual([]);
}
