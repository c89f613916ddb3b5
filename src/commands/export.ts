import { formatBytes } from '../../runtime/spot/stats.js';
import { openSpot, spotNames } from '../cache/locate.js';
import { writeExport, type ExportSource } from '../cache/portable.js';
import { openView } from '../cache/open-view.js';
import { cacheCommand, fail, printJson, resolveFunction, type CommonOptions } from './cache-command.js';

interface ExportOptions extends CommonOptions {
  fn?: string;
  tag?: string;
}

export const exportCommand = cacheCommand('export', 'write the cache (entries and the blobs they use) into one portable file')
  .argument('<file>', 'the file to write, e.g. cache.bspot')
  .option('--fn <function>', 'only this function\'s entries')
  .option('--tag <tag>', 'only entries with this tag')
  .action(async (file: string, options: ExportOptions) => {
    const sources: ExportSource[] = [];
    try {
      for (const name of spotNames(options)) {
        const view = openView(name, options);
        if (view) sources.push({ view, spot: openSpot(name, options) });
      }
      const fns = sources.map(({ view }) => resolveFunction(view, options.fn));
      const error = fns.find(f => f.error)?.error;
      if (error) fail(error);
      // One filter for every spot: a function name resolves to the same id in each.
      const counts = await writeExport(file, sources, { fn: fns.find(f => f.fn)?.fn, tag: options.tag });
      if (options.json) return printJson({ file, spots: sources.map(s => s.spot.name), ...counts });
      process.stdout.write(`exported ${counts.entries} entries and ${counts.blobs} blobs (${formatBytes(counts.bytes)}) ` +
        `of ${sources.length === 1 ? `spot "${sources[0]!.spot.name}"` : `${sources.length} spots`} to ${file}\n`);
    } finally {
      for (const { view, spot } of sources) {
        view.close();
        spot.close();
      }
    }
  });
