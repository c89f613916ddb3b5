// `node redis-auth-worker.mjs <cache dir>`: a spot on the store BEAUTYSPOT_STORE names, with one sync and one async
// marked function, each called twice with the same argument; prints one JSON line: bodies run, session hits, results.
import { defineSpot } from '../../dist/runtime/index.js';

const spot = defineSpot('auth', { dir: process.argv[2] });
const runs = { double: 0, triple: 0 };
const double = spot.mark(function double(x) {
  runs.double++;
  return x * 2;
});
const triple = spot.mark(async function triple(x) {
  runs.triple++;
  return x * 3;
});
const results = [double(21), double(21), await triple(7), await triple(7)];
process.stdout.write(`${JSON.stringify({ runs, hits: spot.session.hits, results })}\n`);
