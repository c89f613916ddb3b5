import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { seeded, type Rand } from '../helpers/arbitraries.js';
import { killLeftovers, linesOf, startNode, type NodeChild } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';
import { integrityCheck, reliabilityDb, verifyCache } from '../helpers/verify-cache.js';

const WORKER = fileURLToPath(new URL('./concurrency-worker.mjs', import.meta.url));
const PROCESSES = 8;
const CALLS_PER_PROCESS = 3_000;
/** Call ids 0..SHARED-1 are called by every process; 3/8 of all ids are blob-sized or stored as blobs. */
const SHARED = 2_048;
const BLOCK = 32;
/**
 * Ids only one process calls, two per block: a write of theirs that is lost cannot be hidden by another
 * process writing the same value.
 */
const OWN_PER_BLOCK = 2;
const OWN = (SHARED / BLOCK) * OWN_PER_BLOCK;
const KEYS = SHARED + PROCESSES * OWN;
/** Chance that a call is repeated at once, so two calls with one key are in flight in one process. */
const REPEAT = 0.05;
/** The plans are fixed; how the processes interleave is up to the scheduler. */
const PLAN_SEED = 1;

afterAll(killLeftovers);

interface WorkerReport {
  calls: number;
  executions: number;
  hits: number;
  errors: number;
  wrong: number;
  computed: number[];
  ranTwice: number[];
  firstErrors: string[];
  firstWrong: number[];
}

/**
 * Every process walks the shared ids block by block in the same order, shuffled within each block together
 * with a few ids of its own, so the processes reach a shared id at about the same time and most are computed
 * by several processes at once. The plan is longer than one walk, so each process calls many ids again.
 */
function planOf(rand: Rand, worker: number): number[] {
  const plan: number[] = [];
  while (plan.length < CALLS_PER_PROCESS) {
    for (let block = 0; block < SHARED / BLOCK; block++) {
      const own = Array.from({ length: OWN_PER_BLOCK }, (_, i) => SHARED + worker * OWN + block * OWN_PER_BLOCK + i);
      const ids = [...Array.from({ length: BLOCK }, (_, i) => block * BLOCK + i), ...own].map(id => ({ id, order: rand() }));
      for (const { id } of ids.sort((a, b) => a.order - b.order)) {
        plan.push(id);
        if (rand() < REPEAT) plan.push(id);
      }
    }
  }
  return plan.slice(0, CALLS_PER_PROCESS);
}

/** Starts a worker and resolves once it is ready to begin (or has already exited, which its result will show). */
async function startWorker(dir: string, index: number, plan: number[]): Promise<NodeChild> {
  const file = join(dir, `plan-${index}.json`);
  writeFileSync(file, JSON.stringify(plan));
  let ready!: () => void;
  const isReady = new Promise<void>(resolve => (ready = resolve));
  const child = startNode(WORKER, { args: [dir, file], timeoutMs: 120_000, onLine: line => line === 'ready' && ready() });
  await Promise.race([isReady, child.result]);
  return child;
}

it(`${PROCESSES} processes caching overlapping keys at once lose no write and see no wrong value`, async () => {
  const rand = seeded(PLAN_SEED);
  const dir = tempDir('bs-concurrency-');
  const plans = Array.from({ length: PROCESSES }, (_, i) => planOf(rand, i));
  const workers = await Promise.all(plans.map((plan, i) => startWorker(dir, i, plan)));
  const start = performance.now();
  for (const worker of workers) worker.process.stdin!.end('go\n');
  const results = await Promise.all(workers.map(worker => worker.result));
  const seconds = (performance.now() - start) / 1000;

  const reports: WorkerReport[] = [];
  const stderrLines: string[] = [];
  for (const result of results) {
    expect(result.timedOut, 'a worker timed out').toBe(false);
    expect(result.code, `a worker failed: ${result.stderr}`).toBe(0);
    stderrLines.push(...linesOf(result.stderr));
    reports.push(JSON.parse(linesOf(result.stdout).at(-1)!) as WorkerReport);
  }
  const sum = (field: 'calls' | 'executions' | 'hits' | 'errors' | 'wrong'): number => reports.reduce((n, r) => n + r[field], 0);
  const computed = new Set(reports.flatMap(r => r.computed));
  const errors = sum('errors') + stderrLines.length;
  const integrity = integrityCheck(reliabilityDb(dir));
  const verified = await verifyCache(dir, KEYS, computed);
  const ranTwice = reports.flatMap(r => r.ranTwice);
  const lost = verified.lost.length + ranTwice.length;
  const wrong = sum('wrong') + verified.wrong.length;
  console.log(`concurrency: ${PROCESSES} processes, ${sum('calls')} calls, ${sum('executions')} executions of ${KEYS} keys (${SHARED} shared), ` +
    `${sum('hits')} hits, ${errors} errors, ${wrong} wrong, ${lost} lost, ${seconds.toFixed(1)} s`);

  expect([...reports.flatMap(r => r.firstErrors), ...stderrLines, ...verified.errors], 'errors').toEqual([]);
  expect(errors).toBe(0);
  expect([...reports.flatMap(r => r.firstWrong), ...verified.wrong], 'calls with a wrong value').toEqual([]);
  expect(wrong).toBe(0);
  expect(verified.lost, 'keys a worker computed that are not in the cache').toEqual([]);
  expect(ranTwice, 'keys a worker computed again after computing them (its first write was lost)').toEqual([]);
  expect(integrity).toBe('ok');
  // The cache started empty, so every key was computed somewhere, and every call was a hit, an execution or
  // a share of a call in flight in its process.
  expect(computed.size).toBe(KEYS);
  expect(verified.hits).toBe(KEYS);
  expect(verified.executed).toBe(0);
  for (const report of reports) expect(report.hits + report.executions).toBeLessThanOrEqual(report.calls);
}, 180_000);
