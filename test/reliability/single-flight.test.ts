import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { killLeftovers, startNode, type NodeChild } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';

const WORKER = fileURLToPath(new URL('./flight-worker.mjs', import.meta.url));
const PROCESSES = 8;
const KEYS = 100;

afterAll(killLeftovers);

interface FlightReport {
  executed: number[];
  hits: number;
  wrong: number[];
}

interface Flight {
  mode: 'sync' | 'async';
  first?: number;
  keys: number;
  bodyMs: number;
  leaseMs: number;
  env?: Record<string, string>;
  onLine?: (line: string) => void;
}

/** Starts a worker and resolves once it waits for the signal to begin. */
async function startWorker(dir: string, flight: Flight): Promise<NodeChild> {
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

async function reportOf(child: NodeChild): Promise<FlightReport> {
  const result = await child.result;
  expect(result.code, `a worker failed: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as FlightReport;
}

/** Runs the same keys in `processes` workers started together; returns their reports. */
export async function raceFor(dir: string, processes: number, flight: Flight): Promise<FlightReport[]> {
  const children = await Promise.all(Array.from({ length: processes }, () => startWorker(dir, flight)));
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

describe('single-flight on one machine (SQLite)', () => {
  for (const mode of ['sync', 'async'] as const) {
    it(`${PROCESSES} processes starting the same ${KEYS} keys at once run each body once (${mode})`, async () => {
      const reports = await raceFor(tempDir('bs-flight-'), PROCESSES, { mode, keys: KEYS, bodyMs: 20, leaseMs: 30_000 });
      expectEachOnce(reports, KEYS, PROCESSES);
    });
  }

  for (const mode of ['sync', 'async'] as const) {
    it(`a holder killed mid-computation loses its lease, and another process computes and stores the result once (${mode})`, async () => {
      const dir = tempDir('bs-flight-kill-');
      let started!: () => void;
      const holderStarted = new Promise<void>(resolve => (started = resolve));
      // The holder's body would take a minute; its lease lasts 1 s.
      const holder = await startWorker(dir, { mode, keys: 1, bodyMs: 60_000, leaseMs: 1_000, onLine: line => line === 'started 0' && started() });
      holder.process.stdin!.write('go\n');
      await holderStarted;
      const waiter = await startWorker(dir, { mode, keys: 1, bodyMs: 10, leaseMs: 1_000 });
      waiter.process.stdin!.write('go\n');
      holder.process.kill('SIGKILL');
      expect((await holder.result).signal).toBe('SIGKILL');
      const took = await reportOf(waiter);
      expect(took).toEqual({ executed: [0], hits: 0, wrong: [] });
      // Stored once, by the process that took over: the next process hits.
      const [after] = await raceFor(dir, 1, { mode, keys: 1, bodyMs: 10, leaseMs: 1_000 });
      expect(after).toEqual({ executed: [], hits: 1, wrong: [] });
    });
  }
});
