import { createHash } from 'node:crypto';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { CorruptEntryError } from '../../runtime/errors.js';
import type { Spot } from '../../runtime/spot/spot.js';
import type { CodeInfo, EntryFilter, EntryInfo, EntryRecord, StoredValue } from '../../runtime/store/store.js';
import { packageVersion } from '../version.js';
import type { CacheView } from './cache-view.js';
import { liveEntries } from './live-entries.js';
import { emptyCounts, FORMAT, FORMAT_VERSION, frameBytes, type Counts, type Frame } from './portable.js';

/** The spots to export: a read view (to list the entries) and the runtime spot (to read whole records and blobs). */
export interface ExportSource {
  view: CacheView;
  spot: Spot;
}

export interface ExportCounts extends Counts {
  /** Entries listed but not exported: damaged (their value or blob fails its check), as a pipeline would find them. */
  damaged: number;
}

/** Frames go to gzip in chunks of about this size: fewer, larger writes compress faster. */
const CHUNK = 64 * 1024;

/**
 * Writes every live entry matching `filter` (and the blobs they use, each once per spot) of each source into `sink`,
 * streamed: one blob in memory at a time. `end: false` leaves the sink open (stdout).
 */
export async function writeExport(sink: Writable, sources: ExportSource[], filter: EntryFilter, options: { end?: boolean } = {}): Promise<ExportCounts> {
  const counts: ExportCounts = { ...emptyCounts(), damaged: 0 };
  const digest = createHash('sha256');
  const framed = (frame: Frame): Buffer => {
    const bytes = frameBytes(frame);
    digest.update(bytes);
    return bytes;
  };
  function* frames(): Generator<Buffer> {
    yield framed({ t: 'header', format: FORMAT, version: FORMAT_VERSION, beautyspot: packageVersion(), createdAt: Date.now(), spots: sources.map(s => s.spot.name) });
    for (const source of sources) yield* spotFrames(source, filter, counts, framed);
    yield frameBytes({ t: 'end', entries: counts.entries, blobs: counts.blobs, sha256: digest.digest('hex') });
  }
  await pipeline(Readable.from(chunked(frames()), { objectMode: false }), createGzip(), sink, { end: options.end ?? true });
  return counts;
}

/** One spot's frames: each live entry, after the blob it uses when that is not in the file yet. */
function* spotFrames({ view, spot }: ExportSource, filter: EntryFilter, counts: ExportCounts, framed: (frame: Frame) => Buffer): Generator<Buffer> {
  const { store, blobs } = spot.parts();
  const written = new Map<string, number>(); // blob refs in the file, with their sizes
  const ahead = new Map<string, number>(); // entries written before the listing reaches them, with their creation times
  const code = codeOf(view);
  for (const row of liveEntries(view, filter)) {
    if (ahead.get(row.key) === row.createdAt) continue;
    let found: StoredValue | undefined;
    let blob: Uint8Array | undefined;
    try {
      found = store.get(row.key);
      if (!found || (found.expiresAt !== null && found.expiresAt <= Date.now())) continue; // gone or expired since it was listed
      if (found.blob !== null && !written.has(found.blob)) blob = blobs.get(found.blob);
    } catch (error) {
      if (!(error instanceof CorruptEntryError)) throw error;
      counts.damaged++; // a miss for the pipeline too: it will compute it again
      continue;
    }
    if (blob) {
      yield framed({ t: 'blob', spot: spot.name, ref: found.blob!, bytes: blob });
      written.set(found.blob!, blob.length);
      counts.blobs++;
      counts.bytes += blob.length;
    }
    // Rewritten since it was listed (a refresh): this version now, and not again where the listing reaches it.
    const rewritten = found.createdAt !== row.createdAt;
    if (rewritten) ahead.set(row.key, found.createdAt);
    const size = rewritten ? found.value?.length ?? written.get(found.blob!)! : row.size;
    yield framed({ t: 'entry', spot: spot.name, record: recordOf({ ...row, size }, found, code) });
    counts.entries++;
    counts.bytes += found.value?.length ?? 0;
  }
}

/** Joins small frames into chunks of about CHUNK bytes; a larger frame goes alone. */
function* chunked(parts: Iterable<Buffer>): Generator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    if (size + part.length > CHUNK && pending.length > 0) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
    pending.push(part);
    size += part.length;
  }
  if (pending.length > 0) yield Buffer.concat(pending, size);
}

type CodeParts = Pick<CodeInfo, 'body' | 'deps'>;

/** The code records of a view, read once per function and hash. */
function codeOf(view: CacheView): (fn: string, hash: string) => CodeParts | undefined {
  const known = new Map<string, CodeParts | undefined>();
  return (fn, hash) => {
    const id = `${fn}\0${hash}`;
    if (!known.has(id)) known.set(id, view.code(fn, hash));
    return known.get(id);
  };
}

/**
 * The whole record of a listed entry: its metadata from the view, its value and times from the store's verified read.
 * The key fixes the function, arguments, code hash and version; a rewritten entry's size comes from its bytes.
 */
function recordOf(row: EntryInfo, found: StoredValue, code: (fn: string, hash: string) => CodeParts | undefined): EntryRecord {
  const { id: _, ...stored } = found;
  const record: EntryRecord = { ...stored, key: row.key, fn: row.fn, size: row.size, args: row.args, tags: row.tags };
  if (row.codeHash === null) return record;
  const parts = code(row.fn, row.codeHash);
  return { ...record, code: { hash: row.codeHash, version: row.version ?? '', body: parts?.body ?? row.codeHash, deps: parts?.deps ?? [] } };
}
