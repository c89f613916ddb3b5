import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { formatBytes } from '../../runtime/spot/stats.js';
import { writeExport, type ExportCounts, type ExportSource } from '../cache/export-writer.js';
import { openSpot, spotNames } from '../cache/locate.js';
import { openView } from '../cache/open-view.js';
import { cacheCommand, fail, resolveFunction, type CommonOptions } from './cache-command.js';

interface ExportOptions extends CommonOptions {
  fn?: string;
  tag?: string;
}

export const exportCommand = cacheCommand('export', 'write the cache (entries and the blobs they use) into one portable file')
  .argument('<file>', 'the file to write, e.g. cache.bspot; - for stdout (the summary then goes to stderr)')
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
      const counts = await write(file, sources, { fn: fns.find(f => f.fn)?.fn, tag: options.tag });
      const summary = options.json ? JSON.stringify({ file, spots: sources.map(s => s.spot.name), ...counts }, null, 2)
        : `exported ${counts.entries} entries and ${counts.blobs} blobs (${formatBytes(counts.bytes)}) ` +
          `of ${sources.length === 1 ? `spot "${sources[0]!.spot.name}"` : `${sources.length} spots`} to ${file === '-' ? 'stdout' : file}` +
          `${counts.damaged ? `; left out ${counts.damaged} damaged entries (a pipeline computes them again)` : ''}`;
      (file === '-' ? process.stderr : process.stdout).write(`${summary}\n`);
    } finally {
      for (const { view, spot } of sources) {
        view.close();
        spot.close();
      }
    }
  });

/**
 * Writes the export to stdout, or to a temp file beside `file` renamed over it when complete: a failed export never
 * leaves a partial file, nor replaces an earlier one.
 */
async function write(file: string, sources: ExportSource[], filter: { fn?: string; tag?: string }): Promise<ExportCounts> {
  if (file === '-') {
    try {
      return await writeExport(process.stdout, sources, filter, { end: false });
    } catch (error) {
      fail(`the export to stdout failed (${(error as Error).message}): what was written is incomplete, and an import refuses it.`);
    }
  }
  const temp = `${file}.${process.pid}.tmp`;
  try {
    const counts = await writeExport(createWriteStream(temp, { flags: 'wx' }), sources, filter);
    renameSync(temp, file);
    return counts;
  } catch (error) {
    rmSync(temp, { force: true });
    const fix = (error as NodeJS.ErrnoException).syscall ? '; check that its directory exists and is writable, with space left' : '';
    fail(`the export to ${file} failed (${(error as Error).message}). Nothing was written${fix}.`);
  }
}
