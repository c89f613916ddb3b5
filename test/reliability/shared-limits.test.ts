import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { killLeftovers, linesOf, startNode, type NodeChild } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';

const WORKER = fileURLToPath(new URL('./shared-limit-worker.mjs', import.meta.url));
/** rpm 60 with burst 1 for this long lets about 10 calls start: one at once, then one a second. */
const RUN_MS = 10_000;
/** Half the workers call a sync function (the thread blocks), half an async one (timers). */
const MODES = ['sync', 'async', 'sync', 'async'] as const;

afterAll(killLeftovers);

/** Starts a worker and resolves once it is ready to begin (or has already exited, which its result will show). */
async function startWorker(dir: string, mode: string, index: number): Promise<NodeChild> {
  let ready!: () => void;
  const isReady = new Promise<void>(resolve => (ready = resolve));
  const child = startNode(WORKER, { args: [dir, mode, String(index), String(RUN_MS)], timeoutMs: 60_000, onLine: line => line === 'ready' && ready() });
  await Promise.race([isReady, child.result]);
  return child;
}

it(`${MODES.length} processes with rpm 60 on one cache dir share the limit: about 10 executions in 10 s, not ${MODES.length} × 10`, async () => {
  const shared = tempDir('bs-limits-shared-');
  // The control: the same workers, each on a directory of its own, at the same time.
  const alone = MODES.map(() => tempDir('bs-limits-alone-'));
  const workers = await Promise.all([
    ...MODES.map((mode, i) => startWorker(shared, mode, i)),
    ...MODES.map((mode, i) => startWorker(alone[i]!, mode, i)),
  ]);
  for (const worker of workers) worker.process.stdin!.end('go\n');
  const results = await Promise.all(workers.map(worker => worker.result));

  const reports = results.map(result => {
    expect(result.timedOut, 'a worker timed out').toBe(false);
    expect(result.code, `a worker failed: ${result.stderr}`).toBe(0);
    expect(linesOf(result.stderr), 'warnings').toEqual([]);
    return JSON.parse(linesOf(result.stdout).at(-1)!) as { executions: number; errors: string[] };
  });
  expect(reports.flatMap(r => r.errors)).toEqual([]);
  const together = reports.slice(0, MODES.length).map(r => r.executions);
  const separate = reports.slice(MODES.length).map(r => r.executions);
  const sum = (counts: number[]): number => counts.reduce((a, b) => a + b, 0);
  console.log(`shared limits: on one dir ${together.join(' + ')} = ${sum(together)} executions; each alone ${separate.join(', ')}`);

  expect(sum(together)).toBeGreaterThanOrEqual(9);
  expect(sum(together)).toBeLessThanOrEqual(12);
  for (const count of separate) {
    expect(count).toBeGreaterThanOrEqual(9);
    expect(count).toBeLessThanOrEqual(12);
  }
  // Sync and async workers both got their turns in the shared queue.
  expect(together.every(count => count >= 1)).toBe(true);
}, 120_000);
