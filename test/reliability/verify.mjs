// Verifier: `node verify.mjs <cache dir> <request.json>`, run with BEAUTYSPOT_ACCESS=r so a miss throws
// CacheMissError and no body may run. The request is { count, required }: calls 0..count-1 are probed, and
// each id in `required` must be a hit. Every hit must hold the right value. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { CacheMissError, defineSpot } from '../../dist/runtime/index.js';
import { call, isRight, onExecute, SPOT } from './workload.mjs';

const [dir, requestFile] = process.argv.slice(2);
const { count, required } = JSON.parse(readFileSync(requestFile, 'utf8'));
const mustHit = new Set(required);
defineSpot(SPOT, { dir });

let executed = 0;
onExecute(() => executed++);
const report = { probed: 0, hits: 0, misses: 0, executed: 0, lost: [], wrong: [], errors: [] };
for (let id = 0; id < count; id++) {
  report.probed++;
  try {
    const value = await call(id);
    report.hits++;
    if (!isRight(id, value)) report.wrong.push(id);
  } catch (error) {
    if (!(error instanceof CacheMissError)) {
      report.errors.push(`call ${id}: ${error?.stack ?? error}`);
      continue;
    }
    report.misses++;
    if (mustHit.has(id)) report.lost.push(id);
  }
}
report.executed = executed;
process.stdout.write(`${JSON.stringify(report)}\n`);
