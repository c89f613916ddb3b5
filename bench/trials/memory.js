// Trial "memory": a call repeated within one process, served by the memory tier (`memory: N`) vs the same marked
// function without it (a SQLite hit), a Map + JSON.stringify memo and p-memoize; and what a memory hit pays for a
// fresh value: codec.decode of the kept bytes vs structuredClone of the value.
// Drivers, each in its own process: sync (memory, SQLite hit, Map memo interleaved), async (memory vs p-memoize,
// interleaved), fresh (decode vs structuredClone vs the plain copy the tier makes, interleaved).
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { item, makeValue, nameOf, randomIndices } from '../lib/fixture.js';
import { internal, loadRuntime } from '../lib/runtime.js';
import { interleave, interleaveAsync } from '../lib/timing.js';

/** Spot in a fresh directory, its functions called once per entry (all entries fit in memory), the names and random call orders. */
async function setup({ dir, entries, rounds, ops }, makeFns) {
  const { Spot } = await loadRuntime();
  const spot = new Spot('memory', { dir: mkdtempSync(join(dir, 'memory-')) });
  const fns = makeFns(spot, entries);
  const names = Array.from({ length: entries }, (_, i) => nameOf(i));
  for (const fn of Object.values(fns)) for (let i = 0; i < entries; i++) await fn(names[i], i);
  const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, entries, 41 + r));
  return { spot, fns, names, seqs };
}

function jsonMemo(body) {
  const memo = new Map();
  return (...args) => {
    const key = JSON.stringify(args);
    let value = memo.get(key);
    if (value === undefined) memo.set(key, value = body(...args));
    return value;
  };
}

const drivers = {
  async sync(args) {
    const { rounds, ops } = args;
    const { spot, fns, names, seqs } = await setup(args, (s, n) => ({
      memory: s.mark(item, { name: 'inMemory', memory: n, codeHash: false }),
      sqlite: s.mark(item, { name: 'inSqlite', codeHash: false }),
      map: jsonMemo(item),
    }));
    const loop = fn => r => {
      const idx = seqs[r + 1];
      let sink = 0;
      for (let i = 0; i < ops; i++) sink += fn(names[idx[i]], idx[i]).id;
      return sink;
    };
    const before = spot.stats();
    const result = interleave({ memory: loop(fns.memory), sqlite: loop(fns.sqlite), map: loop(fns.map) }, { rounds, ops });
    const after = spot.stats();
    spot.close();
    return { ...result, hits: after.hits - before.hits, misses: after.misses - before.misses };
  },

  /** What a fresh value of a kept result costs, three ways, on the same values. */
  async fresh({ entries, rounds, ops }) {
    const { defaultCodec } = await loadRuntime();
    const { copyPlain } = await internal('spot/plain-copy.js');
    const codec = defaultCodec();
    const values = Array.from({ length: entries }, (_, i) => makeValue(i));
    const bytes = values.map(v => codec.encode(v));
    const seqs = Array.from({ length: rounds + 1 }, (_, r) => randomIndices(ops, entries, 43 + r));
    const loop = fn => r => {
      const idx = seqs[r + 1];
      let sink = 0;
      for (let i = 0; i < ops; i++) sink += fn(idx[i]).id;
      return sink;
    };
    const result = interleave({
      decode: loop(k => codec.decode(bytes[k])),
      clone: loop(k => structuredClone(values[k])),
      copy: loop(k => copyPlain(values[k])),
    }, { rounds, ops });
    return { ...result, valueBytes: bytes[0].length };
  },

  async async(args) {
    const { rounds, ops, entries } = args;
    const { default: pMemoize } = await import('p-memoize');
    const { spot, fns, names, seqs } = await setup(args, (s, n) => ({
      memory: s.mark(async (name, k) => item(name, k), { name: 'inMemoryAsync', memory: n, codeHash: false }),
      pmemoize: pMemoize(async (name, k) => item(name, k), { cacheKey: a => JSON.stringify(a) }),
    }));
    const loop = fn => async r => {
      const idx = seqs[r + 1];
      let sink = 0;
      for (let i = 0; i < ops; i++) sink += (await fn(names[idx[i]], idx[i])).id;
      return sink;
    };
    const result = await interleaveAsync({ memory: loop(fns.memory), pmemoize: loop(fns.pmemoize) }, { rounds, ops });
    spot.close();
    return result;
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`memory: unknown driver ${args.driver}`);
  return driver(args);
});
