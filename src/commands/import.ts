import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { formatBytes } from '../../runtime/spot/stats.js';
import type { Spot } from '../../runtime/spot/spot.js';
import { importEntries, type ImportResult } from '../cache/import-entries.js';
import { openSpot } from '../cache/locate.js';
import { ImportFileError, readExport, type ExportContents } from '../cache/portable.js';
import { cacheCommand, fail, printJson, type CommonOptions } from './cache-command.js';

export const importCommand = cacheCommand('import', 'read a file `beautyspot export` wrote into this cache, checked whole before anything is written')
  .argument('<file>', 'the exported file; - for stdin')
  .action(async (file: string, options: CommonOptions) => {
    const name = file === '-' ? 'stdin' : file;
    const path = file === '-' ? await stageStdin() : file;
    let handle: FileHandle | undefined;
    const spots = new Map<string, Spot>();
    try {
      // One open file for both passes: what was checked is what is written, even if the path is replaced meanwhile.
      handle = await openInput(path);
      const read = (): ReturnType<FileHandle['createReadStream']> => handle!.createReadStream({ start: 0, autoClose: false });
      let contents: ExportContents;
      try {
        contents = await readExport(read(), () => undefined); // first pass: a damaged or truncated file imports nothing
      } catch (error) {
        if (error instanceof ImportFileError) fail(`${name} cannot be imported: ${error.message}. Nothing was imported; export it again.`);
        throw error;
      }
      for (const spot of targetSpots(contents, options.spot)) spots.set(spot, openSpot(spot, options));
      for (const spot of spots.values()) {
        if (spot.parts().store.readonly) fail(`spot "${spot.name}" of this cache cannot be written (see the warning above). Nothing was imported.`);
      }
      let result: ImportResult;
      try {
        result = await importEntries(read(), spots);
      } catch (error) {
        fail(`importing ${name} failed midway (${(error as Error).message}); what was written before stays, and importing again completes it.`);
      }
      if (options.json) return printJson({ file, spots: [...spots.keys()], ...result });
      process.stdout.write(`imported ${result.imported} entries and ${result.blobs} blobs (${formatBytes(result.bytes)}) into ` +
        `${[...spots.keys()].map(s => `spot "${s}"`).join(', ') || 'no spot'}` +
        `${result.kept ? `; kept ${result.kept} entries this cache had computed as recently or later` : ''}` +
        `${result.expired ? `; left out ${result.expired} entries that expired since the export` : ''}\n`);
    } finally {
      await handle?.close();
      for (const spot of spots.values()) spot.close();
    }
  });

async function openInput(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    fail(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Stdin, copied to a private temp file: it is read twice (checked whole, then written). */
async function stageStdin(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'beautyspot-import-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true })); // also when the command fails (process.exit)
  const file = join(dir, 'stdin.bspot');
  await pipeline(process.stdin, createWriteStream(file, { mode: 0o600 }));
  return file;
}

/** The spots to write: `--spot` (which the file must hold), else each spot of the file with anything in it. */
function targetSpots(contents: ExportContents, only: string | undefined): string[] {
  if (only === undefined) return [...contents.spots.keys()];
  if (!contents.header.spots.includes(only)) {
    fail(`the file holds no spot "${only}"; it holds ${contents.header.spots.map(s => `"${s}"`).join(', ') || 'none'}. Nothing was imported.`);
  }
  return contents.spots.has(only) ? [only] : [];
}
