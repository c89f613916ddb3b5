// Trial "scale": beautyspot hit cost (and the raw floor) on a small vs a large cache.
// Drivers: fill (one transaction: the marked function for the real entries, spread among filler rows with
// random keys written with the store's own put), measure (floor + beautyspot interleaved, fresh process) and
// aged (the same on entries written an hour ago, whose first reads record their access).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { fillSpot, timeHits } from '../lib/spot-hits.js';

const drivers = {
  async fill({ dir, size, real }) {
    const name = `scale-${size}`;
    const result = await fillSpot({ dir, name, size, real });
    return { ...result, fileBytes: statSync(join(dir, `${name}.sqlite`)).size };
  },
  measure({ dir, size, rounds, ops }) {
    return timeHits({ dir, name: `scale-${size}`, rounds, ops, seed: size });
  },
  /** The same on entries written an hour ago: each entry's first read records its access. */
  aged({ dir, size, rounds, ops }) {
    return timeHits({ dir, name: `scale-${size}`, rounds, ops, seed: size + 1, aged: true });
  },
};

runChild(args => {
  const driver = drivers[args.driver];
  if (!driver) throw new Error(`scale: unknown driver ${args.driver}`);
  return driver(args);
});
