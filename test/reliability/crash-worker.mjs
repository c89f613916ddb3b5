// Crash worker: `node crash-worker.mjs <cache dir> <from> <to>` makes calls from..to-1 (up to 4 async ones
// at a time) until it is killed. After a call has returned (an async one: resolved) with the right value it
// prints `<id> hit|run`, so the parent only ever counts results the cache has already been given. A line
// written to the stdout pipe outlives a SIGKILL (the kernel holds it until the parent reads it), so no
// fsync'd file is needed: a kill can only cut the reports short, never add one.
import { defineSpot } from '../../dist/runtime/index.js';
import { isRight, makeCalls, onExecute, SPOT } from './workload.mjs';

const [dir, from, to] = process.argv.slice(2);
defineSpot(SPOT, { dir });
const ran = new Set();
onExecute(id => ran.add(id));

function* range(start, end) {
  for (let id = start; id < end; id++) yield id;
}

const fail = message => {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
};

await makeCalls(range(Number(from), Number(to)), 4, (id, value) => {
  if (isRight(id, value)) process.stdout.write(`${id} ${ran.has(id) ? 'run' : 'hit'}\n`);
  else fail(`call ${id} returned a wrong value`);
}, (id, error) => fail(`call ${id} threw: ${error?.stack ?? error}`));
