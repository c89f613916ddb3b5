import { formatBytes } from '../../runtime/spot/stats.js';
import type { Spot } from '../../runtime/spot/spot.js';
import { openSpot } from '../cache/locate.js';
import { ImportFileError, readExport } from '../cache/portable.js';
import { cacheCommand, fail, printJson, type CommonOptions } from './cache-command.js';

export const importCommand = cacheCommand('import', 'read a file `beautyspot export` wrote into this cache, checked whole before anything is written')
  .argument('<file>', 'the exported file')
  .action(async (file: string, options: CommonOptions) => {
    try {
      // First pass: the whole file is checked, so a damaged or truncated one imports nothing.
      await readExport(file, () => undefined);
    } catch (error) {
      if (error instanceof ImportFileError) fail(`${file} cannot be imported: ${error.message}. Nothing was imported.`);
      throw error;
    }
    const spots = new Map<string, Spot>();
    const result = { imported: 0, kept: 0, blobs: 0 };
    try {
      const counts = await readExport(file, frame => {
        if (options.spot !== undefined && frame.spot !== options.spot) return;
        let spot = spots.get(frame.spot);
        if (!spot) spots.set(frame.spot, (spot = openSpot(frame.spot, options)));
        const { store, blobs } = spot.parts();
        if (frame.t === 'blob') {
          const ref = blobs.put(frame.bytes);
          if (ref !== frame.ref) throw new Error(`the blob store filed blob ${frame.ref.slice(0, 16)}… as ${ref.slice(0, 16)}…`);
          result.blobs++;
          return;
        }
        // An entry this cache already has keeps whichever was computed later.
        const existing = store.get(frame.record.key);
        if (existing && existing.createdAt >= frame.record.createdAt) {
          result.kept++;
          return;
        }
        store.put(frame.record);
        result.imported++;
      });
      if (options.json) return printJson({ file, spots: [...spots.keys()], ...result, bytes: counts.bytes });
      process.stdout.write(`imported ${result.imported} entries and ${result.blobs} blobs (${formatBytes(counts.bytes)}) into ` +
        `${[...spots.keys()].map(s => `spot "${s}"`).join(', ') || 'no spot'}` +
        `${result.kept ? `; kept ${result.kept} entries this cache had computed as recently or later` : ''}\n`);
    } finally {
      for (const spot of spots.values()) spot.close();
    }
  });
