import { afterAll, describe, expect, it } from 'vitest';
import { expectEachOnce, raceFor, reportOf, startWorker } from '../helpers/flight.js';
import { killLeftovers } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';

const PROCESSES = 8;
const KEYS = 100;

afterAll(killLeftovers);

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
