// Shared-limit worker: `node shared-limit-worker.mjs <cache dir> <sync|async> <worker index> <run ms>`. Defines a
// spot with `rpm: 60, burst: 1` on the directory, prints `ready` once its store is open, waits for a line on stdin
// (so all workers start together), then calls a marked function with new arguments (every call a miss) one after
// another for <run ms>, and prints one JSON line: how many bodies started within the run, and the errors.
import { defineSpot } from '../../dist/runtime/index.js';

const [dir, mode, worker, runMs] = process.argv.slice(2);
const spot = defineSpot('limited', { dir, limit: { rpm: 60, burst: 1 } });
spot.stats(); // opens the store before the start, so no worker begins late by its opening
let deadline = Infinity;
let executions = 0;
const body = (w, i) => {
  if (performance.now() < deadline) executions++;
  return `${w}:${i}`;
};
const f = spot.mark(mode === 'async' ? async (w, i) => body(w, i) : (w, i) => body(w, i), { name: `call_${mode}` });

process.stdout.write('ready\n');
await new Promise(resolve => process.stdin.once('data', resolve));
process.stdin.destroy();

const errors = [];
deadline = performance.now() + Number(runMs);
for (let i = 0; performance.now() < deadline; i++) {
  const value = await f(worker, i);
  if (value !== `${worker}:${i}`) errors.push(`call ${i} returned ${JSON.stringify(value)}`);
}
errors.push(...spot.session.errors ? [`${spot.session.errors} cache errors`] : []);
process.stdout.write(`${JSON.stringify({ executions, errors })}\n`);
