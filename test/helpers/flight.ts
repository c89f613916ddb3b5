import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { startNode, type NodeChild } from './node-child.js';

const WORKER = fileURLToPath(new URL('../reliability/flight-worker.mjs', import.meta.url));

export interface FlightReport {
  executed: number[];
  hits: number;
  wrong: number[];
}

export interface Flight {
  mode: 'sync' | 'async';
  first?: number;
  keys: number;
  bodyMs: number;
  leaseMs: number;
  env?: Record<string, string>;
  onLine?: (line: string) => void;
}

/** Starts a worker and resolves once it waits for the signal to begin. */
export async function startWorker(dir: string, flight: Flight): Promise<NodeChild> {
  let ready!: () => void;
  const isReady = new Promise<void>(resolve => (ready = resolve));
  const child = startNode(WORKER, {
    args: [dir, flight.mode, String(flight.first ?? 0), String(flight.keys), String(flight.bodyMs), String(flight.leaseMs)],
    env: flight.env,
    timeoutMs: 120_000,
    onLine: line => {
      if (line === 'ready') ready();
      flight.onLine?.(line);
    },
  });
  await Promise.race([isReady, child.result]);
  return child;
}

export async function reportOf(child: NodeChild): Promise<FlightReport> {
  const result = await child.result;
  expect(result.code, `a worker failed: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as FlightReport;
}

/** Runs the same keys in `processes` workers started together (on one cache dir, or one each); returns their reports. */
export async function raceFor(dir: string | (() => string), processes: number, flight: Flight): Promise<FlightReport[]> {
  const children = await Promise.all(Array.from({ length: processes }, () => startWorker(typeof dir === 'string' ? dir : dir(), flight)));
  for (const child of children) child.process.stdin!.write('go\n');
  return Promise.all(children.map(reportOf));
}

/** Every key's body ran exactly once across all processes, and every process got every right value. */
export function expectEachOnce(reports: FlightReport[], keys: number, processes: number): void {
  const executed = reports.flatMap(r => r.executed).sort((a, b) => a - b);
  expect(reports.flatMap(r => r.wrong), 'calls with a wrong value').toEqual([]);
  expect(executed).toEqual(Array.from({ length: keys }, (_, i) => i));
  expect(reports.reduce((n, r) => n + r.hits, 0)).toBe(keys * processes - keys);
}

/** A worker holding key 0's lease: its body would take a minute; resolves once the body has started. */
async function startedHolder(dir: string, mode: Flight['mode'], leaseMs: number, env?: Record<string, string>): Promise<NodeChild> {
  let started!: () => void;
  const holderStarted = new Promise<void>(resolve => (started = resolve));
  const holder = await startWorker(dir, { mode, keys: 1, bodyMs: 60_000, leaseMs, env, onLine: line => line === 'started 0' && started() });
  holder.process.stdin!.write('go\n');
  await holderStarted;
  return holder;
}

/**
 * A holder that hangs (SIGSTOP: its process still exists, so nobody may take it for gone) with a 1 s lease: a
 * waiter (on the same cache dir, or another machine sharing the store in `env`) takes the lease over once it
 * expires, computes and stores the result once; a third process hits.
 */
export async function expectTakeOver(dir: () => string, mode: Flight['mode'], env?: Record<string, string>): Promise<void> {
  const shared = dir();
  const holder = await startedHolder(shared, mode, 1_000, env);
  holder.process.kill('SIGSTOP');
  const waiter = await startWorker(env ? dir() : shared, { mode, keys: 1, bodyMs: 10, leaseMs: 1_000, env });
  waiter.process.stdin!.write('go\n');
  expect(await reportOf(waiter)).toEqual({ executed: [0], hits: 0, wrong: [] });
  holder.process.kill('SIGKILL');
  expect((await holder.result).signal).toBe('SIGKILL');
  const [after] = await raceFor(env ? dir() : shared, 1, { mode, keys: 1, bodyMs: 10, leaseMs: 1_000, env });
  expect(after).toEqual({ executed: [], hits: 1, wrong: [] });
}

/**
 * A re-run right after a crash: the holder (a 10-minute lease) is SIGKILLed, then a new process of the same machine
 * asks for the key. It sees the holder's process is gone and computes at once — waiting for the lease would
 * outlast the test.
 */
export async function expectRerunAfterKill(dir: string, mode: Flight['mode'], env?: Record<string, string>): Promise<void> {
  const holder = await startedHolder(dir, mode, 600_000, env);
  holder.process.kill('SIGKILL');
  expect((await holder.result).signal).toBe('SIGKILL');
  const [rerun] = await raceFor(dir, 1, { mode, keys: 1, bodyMs: 10, leaseMs: 600_000, env });
  expect(rerun).toEqual({ executed: [0], hits: 0, wrong: [] });
}
