import { openSpot, spotNames } from '../cache/locate.js';
import { cacheCommand, printJson, type CommonOptions } from './cache-command.js';

export const gcCommand = cacheCommand('gc', 'delete expired entries, evict above the size limits and remove orphan blobs')
  .action((options: CommonOptions) => {
    const results = spotNames(options).map(name => {
      const spot = openSpot(name, options);
      try {
        return { spot: name, ...spot.gc() };
      } finally {
        spot.close();
      }
    });
    if (options.json) return printJson(results);
    for (const r of results) {
      process.stdout.write(`spot "${r.spot}": ${r.expired} expired entries and ${r.evicted} evicted deleted, ${r.blobsDeleted} blobs removed\n`);
    }
  });
