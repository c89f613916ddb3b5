// Concurrency worker: `node concurrency-worker.mjs <cache dir> <plan.json>`. The plan is the list of call
// ids to make. It prints `ready`, waits for a line on stdin (so all workers start together), makes the calls
// (up to 8 async ones at a time), checks every value, and prints one JSON line: calls, executions, hits,
// errors, wrong values, the ids whose body it ran, and those it ran twice (its first result was not kept:
// nothing deletes entries here, and calls with one key in flight at once share one execution).
import { readFileSync } from 'node:fs';
import { defineSpot } from '../../dist/runtime/index.js';
import { isRight, makeCalls, onExecute, SPOT } from './workload.mjs';

/** How many failed calls are described in the report, of each kind. */
const MAX_EXAMPLES = 5;

const [dir, planFile] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile, 'utf8'));
const spot = defineSpot(SPOT, { dir });
const report = { calls: plan.length, executions: 0, hits: 0, errors: 0, wrong: 0, computed: [], ranTwice: [], firstErrors: [], firstWrong: [] };
const computed = new Set();
onExecute(id => {
  report.executions++;
  if (computed.has(id)) report.ranTwice.push(id);
  computed.add(id);
});
const keep = (examples, example) => {
  if (examples.length < MAX_EXAMPLES) examples.push(example);
};

process.stdout.write('ready\n');
await new Promise(resolve => process.stdin.once('data', resolve));
process.stdin.destroy();

await makeCalls(plan, 8, (id, value) => {
  if (isRight(id, value)) return;
  report.wrong++;
  keep(report.firstWrong, id);
}, (id, error) => {
  report.errors++;
  keep(report.firstErrors, `call ${id}: ${error?.stack ?? error}`);
});

report.hits = spot.session.hits;
report.computed = [...computed];
process.stdout.write(`${JSON.stringify(report)}\n`);
