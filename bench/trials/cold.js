// Trial "cold": the time a fresh `node` process needs to import the runtime and serve its first hit,
// vs a bare `node -e ''`. Drivers: setup (an earlier process fills the cache) and run (spawns both kinds
// alternately and reports wall-clock medians).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runChild } from '../lib/child.js';
import { FN_NAME, item, nameOf } from '../lib/fixture.js';
import { median } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';

const FIRST_HIT = fileURLToPath(new URL('./cold-first-hit.js', import.meta.url));
const EMPTY = fileURLToPath(new URL('./cold-empty.js', import.meta.url));

const drivers = {
  async setup({ dir }) {
    const { Spot } = await loadRuntime();
    const spot = new Spot('cold', { dir });
    spot.mark(item, { name: FN_NAME })(nameOf(0), 0);
    const misses = spot.session.misses;
    spot.close();
    if (misses !== 1) throw new Error('cold setup: expected one miss');
    return { misses };
  },

  run({ dir, spawns }) {
    const time = args => {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (child.status !== 0) throw new Error(`cold: node ${args.join(' ')} exited ${child.status}${child.status === 2 ? ' (not a hit)' : ''}`);
      return { ms, out: child.stdout };
    };
    const kinds = { bare: ['-e', ''], empty: [EMPTY], first: [FIRST_HIT, dir] };
    const names = Object.keys(kinds);
    const wall = { bare: [], empty: [], first: [] };
    const inside = [];
    for (let i = -1; i < spawns; i++) {
      // Rotate the order, so drift of the machine affects every kind alike; one warm-up round.
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + Math.max(i, 0)) % names.length];
        const run = time(kinds[name]);
        if (i < 0) continue;
        wall[name].push(run.ms);
        if (name === 'first') inside.push(JSON.parse(run.out));
      }
    }
    const { bare, empty, first } = wall;
    return {
      spawns,
      emptyMs: median(empty),
      empty,
      bareMs: median(bare),
      firstHitMs: median(first),
      addedMs: median(first) - median(bare),
      importMs: median(inside.map(s => s.importMs)),
      hitMs: median(inside.map(s => s.hitMs)),
      bare,
      first,
    };
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`cold: unknown driver ${args.driver}`);
  return driver(args);
});
