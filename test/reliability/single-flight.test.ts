import { afterAll, describe, expect, it } from 'vitest';
import { expectEachOnce, expectRerunAfterKill, expectTakeOver, raceFor } from '../helpers/flight.js';
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
    it(`a holder that hangs mid-computation loses its lease, and another process computes and stores the result once (${mode})`,
      () => expectTakeOver(() => tempDir('bs-flight-kill-'), mode));

    it(`a re-run right after a crash does not wait for the killed holder's lease (${mode})`, () => expectRerunAfterKill(tempDir('bs-flight-rerun-'), mode));
  }
});
