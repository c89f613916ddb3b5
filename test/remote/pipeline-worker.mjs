// A pipeline as a user would write it, for the scale-out scenarios: `node pipeline-worker.mjs <cache dir> <first id>
// <count> [pause ms]`. Four marked functions — sync and async, with small (inline) and blob-sized values — are
// called for each id; `done <id>` is printed after each id, then one JSON line: the bodies run, hits, wrong values.
// The backends come from the environment only (BEAUTYSPOT_STORE, BEAUTYSPOT_BLOBS, AWS_*): the code never changes.
import { defineSpot } from '../../dist/runtime/index.js';

const [dir, first, count, pause = '0'] = process.argv.slice(2);
const spot = defineSpot('pipeline', { dir });
const executed = { smallSync: [], bigSync: [], smallAsync: [], bigAsync: [] };
const BIG = 96 * 1024; // above the 64 KiB blob threshold

const small = id => ({ id, text: `value ${id}`, when: new Date(id * 1000) });
const big = id => {
  const bytes = new Uint8Array(BIG);
  for (let i = 0; i < BIG; i++) bytes[i] = (i * 7 + id) & 0xff;
  return bytes;
};

const smallSync = spot.mark(function smallSync(id) {
  executed.smallSync.push(id);
  return small(id);
});
const bigSync = spot.mark(function bigSync(id) {
  executed.bigSync.push(id);
  return big(id);
});
const smallAsync = spot.mark(async function smallAsync(id) {
  executed.smallAsync.push(id);
  return small(id);
});
const bigAsync = spot.mark(async function bigAsync(id) {
  executed.bigAsync.push(id);
  return big(id);
});

const wrong = [];
const same = (a, b) => (a instanceof Uint8Array ? Buffer.compare(a, b) === 0 : JSON.stringify(a) === JSON.stringify(b));
const check = (name, id, value, expected) => {
  if (!same(value, expected)) wrong.push(`${name}(${id})`);
};
for (let id = Number(first); id < Number(first) + Number(count); id++) {
  check('smallSync', id, smallSync(id), small(id));
  check('bigSync', id, bigSync(id), big(id));
  check('smallAsync', id, await smallAsync(id), small(id));
  check('bigAsync', id, await bigAsync(id), big(id));
  process.stdout.write(`done ${id}\n`);
  if (Number(pause) > 0) await new Promise(resolve => setTimeout(resolve, Number(pause)));
}
process.stdout.write(`${JSON.stringify({ executed, hits: spot.session.hits, wrong })}\n`);
