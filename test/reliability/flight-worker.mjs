// Single-flight worker: `node flight-worker.mjs <cache dir> <sync|async> <first key> <keys> <body ms> <lease ms>`.
// Prints `ready`, waits for a line on stdin (so all workers start together), calls the keys in order (async: all
// at once), prints `started <id>` as each body starts, then one JSON line: the ids whose body it ran, and hits.
// The backends come from the environment (BEAUTYSPOT_STORE / BEAUTYSPOT_BLOBS) when set, else the cache dir.
import { defineSpot } from '../../dist/runtime/index.js';

const [dir, mode, first, count, bodyMs, leaseMs] = process.argv.slice(2);
const spot = defineSpot('flight', { dir, singleFlight: { lease: Number(leaseMs), wait: '2m' } });
const executed = [];
const cell = new Int32Array(new SharedArrayBuffer(4));
const valueOf = id => ({ id, square: id * id, text: `value ${id}` });

const slowSync = spot.mark(function slowSync(id) {
  executed.push(id);
  process.stdout.write(`started ${id}\n`);
  Atomics.wait(cell, 0, 0, Number(bodyMs));
  return valueOf(id);
}, { name: 'slow' });

const slowAsync = spot.mark(async function slowAsync(id) {
  executed.push(id);
  process.stdout.write(`started ${id}\n`);
  await new Promise(resolve => setTimeout(resolve, Number(bodyMs)));
  return valueOf(id);
}, { name: 'slow' });

const ids = Array.from({ length: Number(count) }, (_, i) => Number(first) + i);
process.stdout.write('ready\n');
await new Promise(resolve => process.stdin.once('data', resolve));
process.stdin.destroy();

const wrong = [];
const check = (id, value) => {
  if (JSON.stringify(value) !== JSON.stringify(valueOf(id))) wrong.push(id);
};
if (mode === 'sync') {
  for (const id of ids) check(id, slowSync(id));
} else {
  await Promise.all(ids.map(async id => check(id, await slowAsync(id))));
}
process.stdout.write(`${JSON.stringify({ executed, hits: spot.session.hits, wrong })}\n`);
