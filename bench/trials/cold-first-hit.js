// The measured process of the cold-start trial: import the runtime, serve one hit from a cache an earlier
// process filled, exit. Prints {importMs, hitMs, totalMs} measured from the process's time origin.
// Exits 2 if the call was not a hit (the measurement would be meaningless).
const t0 = performance.now();
const { Spot } = await import('../../dist/runtime/index.js');
const { item, FN_NAME, nameOf } = await import('../lib/fixture.js');
const t1 = performance.now();
const spot = new Spot('cold', { dir: process.argv[2] });
const value = spot.mark(item, { name: FN_NAME })(nameOf(0), 0);
const t2 = performance.now();
if (spot.session.hits !== 1 || value.id !== 0) process.exit(2);
process.stdout.write(JSON.stringify({ startMs: t0, importMs: t1 - t0, hitMs: t2 - t1, totalMs: t2 }));
