import type { Spot } from '../../runtime/index.js';

/**
 * What the view tests read, written by real marked functions of `spot` (the source runtime's or dist's): two
 * functions, tags, a value over the blob threshold (give the spot `blobThreshold: 1024`), several runs, flushed.
 * fetchPage: 3 entries tagged web and v1, 2 hits, 3 misses; render (version 2): 2 entries, one a blob, 1 hit, 2 misses.
 */
export function writeToolCache(spot: Spot): Spot {
  const fetchPage = spot.mark((url: string) => `page of ${url}`, { name: 'fetchPage', tags: ['web', 'v1'] });
  const render = spot.mark((n: number) => 'x'.repeat(n), { name: 'render', version: '2' });
  for (const url of ['a', 'b', 'c', 'a', 'b']) fetchPage(url);
  render(10);
  render(5000); // over the blob threshold
  render(10);
  spot.flush();
  return spot;
}
