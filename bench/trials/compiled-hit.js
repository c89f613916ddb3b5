// Trial "compiled": a hit through code the real compiler generated (`/** @mark */` on a (string, number) function,
// key code from the parameter types) vs the floor (prepared SELECT + decode, key precomputed) and vs the same
// function marked at runtime (spot.mark: dynamic key encoder), in interleaved rounds of one process.
// Drivers: setup (compile lookup.ts into lookup.mjs, fill the spot through the compiled function) and measure.
//
// Both marked functions are keyed as id "item" with the code hash off, so their keys are equal (the compiled
// writer writes the dynamic encoder's bytes for a string and a number): floor, compiled and runtime-marked read
// the very same rows with the same random keys. The code hash only changes the prefix computed on the first call.
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { compileModule, importCompiled } from '../lib/compile.js';
import { FN_NAME, item, makeValue, nameOf, randomIndices } from '../lib/fixture.js';
import { interleave } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';
import { hitDrivers } from '../lib/spot-hits.js';

const SPOT = 'compiled';
const MODULE = 'lookup';
const FIXTURE_URL = new URL('../lib/fixture.js', import.meta.url).href;

/** The source the compiler sees: the fixture's ~140-byte value, keyed by (string, number). */
const SOURCE = `import { makeValue } from ${JSON.stringify(FIXTURE_URL)};

/** @mark spot=${SPOT} name=${FN_NAME} codeHash=false */
export function lookup(name: string, n: number) {
  return makeValue(n);
}
`;

const modulePath = dir => join(dir, `${MODULE}.mjs`);

const drivers = {
  /** Compiles the source with the real compiler, then fills the spot through the compiled function in one transaction. */
  async setup({ dir, entries }) {
    const { defineSpot, defaultCodec } = await loadRuntime();
    const { out, file, transformMs } = await compileModule({ dir, name: MODULE, source: SOURCE });
    const plan = out.plans[FN_NAME];
    if (JSON.stringify(plan.params.map(p => p.plan.kind)) !== '["string","number"]') {
      throw new Error(`compiled: unexpected key plan ${JSON.stringify(plan)}`);
    }
    const spot = defineSpot(SPOT, { dir });
    const { lookup } = await importCompiled(file);
    const { store } = spot.parts();
    const start = performance.now();
    store.db.transaction(() => {
      for (let k = 0; k < entries; k++) lookup(nameOf(k), k);
    })();
    const fillMs = performance.now() - start;
    const misses = spot.session.misses;
    const rows = store.db.prepare('SELECT count(*) FROM entries').pluck().get();
    spot.close();
    if (misses !== entries || rows !== entries) throw new Error(`compiled fill: ${misses} misses, ${rows} rows for ${entries} entries`);
    const sizes = [0, entries >> 1, entries - 1].map(i => defaultCodec().encode(makeValue(i)).length);
    const writer = out.code.match(/writeArgs: (\(w, args, self\) => \{[\s\S]*?\n\})/)?.[1] ?? '';
    return { rows, fillMs, transformMs, valueBytes: sizes.reduce((a, b) => a + b) / sizes.length, writer };
  },

  /** Floor, compiled and runtime-marked hits, interleaved, on the same rows with the same random keys. */
  async measure({ dir, rounds, ops, seed = 1 }) {
    const { defineSpot } = await loadRuntime();
    const spot = defineSpot(SPOT, { dir });
    const { lookup: compiled } = await importCompiled(modulePath(dir));
    const marked = spot.mark(item, { name: FN_NAME, codeHash: false });
    const { store, codec } = spot.parts();
    const keys = store.db.prepare('SELECT key FROM entries ORDER BY id').pluck().all();
    const real = keys.length;
    const names = Array.from({ length: real }, (_, k) => nameOf(k));
    const select = store.db.prepare('SELECT value FROM entries WHERE key = ?').raw(true);

    // All three must read the same entry: one probe through each path, two hits, no miss.
    const probe = Math.floor(real / 2);
    const expected = JSON.stringify(makeValue(probe));
    const via = [codec.decode(select.get(keys[probe])[0]), compiled(names[probe], probe), marked(names[probe], probe)];
    if (via.some(v => JSON.stringify(v) !== expected) || spot.session.hits !== 2 || spot.session.misses !== 0) {
      throw new Error('compiled: floor, compiled and runtime-marked do not read the same entry');
    }

    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, real, seed * 7919 + r + 17));
    const seq = r => seqs[r + 1];
    const result = interleave(hitDrivers({ codec, select, keys, names, seq }, { compiled, marked }), { rounds, ops });
    const session = { ...spot.session };
    spot.close();
    if (session.misses !== 0) throw new Error(`compiled: ${session.misses} misses while timing hits`);
    return { ...result, real, hits: session.hits };
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`compiled: unknown driver ${args.driver}`);
  return driver(args);
});
