import { decode, encode } from '@msgpack/msgpack';
import { createHash, hash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGunzip, createGzip } from 'node:zlib';
import type { EntryFilter, EntryInfo, EntryRecord, StoredValue } from '../../runtime/store/store.js';
import type { Spot } from '../../runtime/spot/spot.js';
import type { CacheView } from './cache-view.js';

/**
 * The portable file `beautyspot export` writes: gzip of frames, each a u32 little-endian length and a msgpack map.
 * First a header, then per spot its blobs (each once, before the first entry that uses it) and entries, then a
 * trailer with the counts and the SHA-256 of every frame before it (length prefixes included).
 */
export const FORMAT = 'beautyspot-export';
export const FORMAT_VERSION = 1;

type Frame =
  | { t: 'header'; format: string; version: number; createdAt: number }
  | { t: 'blob'; spot: string; ref: string; bytes: Uint8Array }
  | { t: 'entry'; spot: string; record: EntryRecord }
  | { t: 'end'; entries: number; blobs: number; sha256: string };

export interface Counts {
  entries: number;
  blobs: number;
  bytes: number;
}

/** The spots to export: a read view (to list the entries) and the runtime spot (to read whole records and blobs). */
export interface ExportSource {
  view: CacheView;
  spot: Spot;
}

const PAGE = 500;

/** Writes every live entry matching `filter` (and the blobs they use) of each source into one file. */
export async function writeExport(path: string, sources: ExportSource[], filter: EntryFilter): Promise<Counts> {
  const gzip = createGzip();
  const done = once(gzip.pipe(createWriteStream(path)), 'finish');
  const digest = createHash('sha256');
  const counts: Counts = { entries: 0, blobs: 0, bytes: 0 };
  const put = async (frame: Frame): Promise<void> => {
    const bytes = frameBytes(frame);
    if (frame.t !== 'end') digest.update(bytes);
    if (!gzip.write(bytes)) await once(gzip, 'drain');
  };
  await put({ t: 'header', format: FORMAT, version: FORMAT_VERSION, createdAt: Date.now() });
  for (const { view, spot } of sources) {
    const { store, blobs } = spot.parts();
    const written = new Set<string>();
    // Oldest first, by creation: entries written while the export runs come after the pages already read.
    for (let offset = 0; ; offset += PAGE) {
      const { rows } = view.query({ ...filter, sort: 'created', desc: false, limit: PAGE, offset });
      for (const row of rows) {
        let found: StoredValue | undefined;
        try {
          found = store.get(row.key);
        } catch {
          continue; // damaged: the pipeline would recompute it too
        }
        if (!found || (found.expiresAt !== null && found.expiresAt <= Date.now())) continue; // gone or expired since it was listed
        const record = recordOf(view, row, found);
        if (record.blob !== null && !written.has(record.blob)) {
          const bytes = blobs.get(record.blob);
          await put({ t: 'blob', spot: spot.name, ref: record.blob, bytes });
          written.add(record.blob);
          counts.blobs++;
          counts.bytes += bytes.length;
        }
        await put({ t: 'entry', spot: spot.name, record });
        counts.entries++;
        counts.bytes += record.value?.length ?? 0;
      }
      if (rows.length < PAGE) break;
    }
  }
  await put({ t: 'end', entries: counts.entries, blobs: counts.blobs, sha256: digest.digest('hex') });
  gzip.end();
  await done;
  return counts;
}

/** Why a file cannot be imported: nothing of it was written. */
export class ImportFileError extends Error {}

/**
 * Reads a whole export file and checks it: the format, every frame, each blob's SHA-256 against its ref, each entry's
 * blob present, the trailer's counts and hash. Throws `ImportFileError`; `visit` sees each frame once it parsed.
 */
export async function readExport(path: string, visit: (frame: Exclude<Frame, { t: 'header' | 'end' }>) => Promise<void> | void): Promise<Counts> {
  const digest = createHash('sha256');
  const counts: Counts = { entries: 0, blobs: 0, bytes: 0 };
  const blobsSeen = new Set<string>();
  let header = false;
  let end: Extract<Frame, { t: 'end' }> | undefined;
  try {
    for await (const bytes of frames(path)) {
      if (end) throw new ImportFileError('bytes follow the end of the export');
      const frame = parse(bytes);
      if (frame.t !== 'end') digest.update(bytes);
      if (!header) {
        if (frame.t !== 'header' || frame.format !== FORMAT) throw new ImportFileError('it is not a beautyspot export');
        if (frame.version > FORMAT_VERSION) throw new ImportFileError(`its format version ${frame.version} is newer than this beautyspot reads (${FORMAT_VERSION}); upgrade beautyspot`);
        header = true;
        continue;
      }
      switch (frame.t) {
        case 'blob':
          if (hash('sha256', frame.bytes, 'hex') !== frame.ref) throw new ImportFileError(`blob ${frame.ref.slice(0, 16)}… does not match its hash`);
          blobsSeen.add(`${frame.spot}\0${frame.ref}`);
          counts.blobs++;
          counts.bytes += frame.bytes.length;
          break;
        case 'entry':
          if (frame.record.blob !== null && !blobsSeen.has(`${frame.spot}\0${frame.record.blob}`)) {
            throw new ImportFileError(`entry ${frame.record.key.slice(0, 12)}… uses a blob the file does not hold`);
          }
          counts.entries++;
          counts.bytes += frame.record.value?.length ?? 0;
          break;
        case 'end':
          end = frame;
          continue;
        default:
          throw new ImportFileError('it holds a frame of an unknown kind');
      }
      await visit(frame);
    }
  } catch (error) {
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`it cannot be read (${(error as Error).message}): damaged or truncated`);
  }
  if (!end) throw new ImportFileError('it ends before its trailer: truncated');
  if (end.entries !== counts.entries || end.blobs !== counts.blobs || end.sha256 !== digest.digest('hex')) {
    throw new ImportFileError('its contents do not match its trailer: damaged');
  }
  return counts;
}

/** The whole record of a listed entry: its metadata from the view, its value and times from the store's verified read. */
function recordOf(view: CacheView, row: EntryInfo, found: StoredValue): EntryRecord {
  const code = row.codeHash === null ? undefined : view.code(row.fn, row.codeHash);
  const { id: _, ...stored } = found;
  return {
    ...stored, key: row.key, fn: row.fn, size: row.size, args: row.args, tags: row.tags,
    ...(row.codeHash === null ? {} : { code: { hash: row.codeHash, version: row.version ?? '', body: code?.body ?? row.codeHash, deps: code?.deps ?? [] } }),
  };
}

function frameBytes(frame: Frame): Buffer {
  const body = encode(frame);
  const bytes = Buffer.allocUnsafe(4 + body.length);
  bytes.writeUInt32LE(body.length, 0);
  bytes.set(body, 4);
  return bytes;
}

/** Frames of the file, each with its length prefix, streamed: at most one frame and one chunk in memory. */
async function* frames(path: string): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(path).pipe(createGunzip())) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readUInt32LE(0)) {
      const size = 4 + pending.readUInt32LE(0);
      yield pending.subarray(0, size);
      pending = pending.subarray(size);
    }
  }
  if (pending.length > 0) throw new ImportFileError('it ends inside a frame: truncated');
}

function parse(bytes: Buffer): Frame {
  const frame = decode(bytes.subarray(4)) as Frame;
  if (typeof frame !== 'object' || frame === null || typeof (frame as { t?: unknown }).t !== 'string') {
    throw new ImportFileError('it holds a frame that is not a record');
  }
  if (frame.t === 'entry' && !validRecord(frame.record)) throw new ImportFileError('it holds an incomplete entry');
  if (frame.t === 'blob' && !(typeof frame.ref === 'string' && frame.bytes instanceof Uint8Array)) throw new ImportFileError('it holds an incomplete blob');
  return frame;
}

function validRecord(r: EntryRecord | undefined): boolean {
  return typeof r === 'object' && r !== null && typeof r.key === 'string' && typeof r.fn === 'string' &&
    typeof r.createdAt === 'number' && (r.expiresAt === null || typeof r.expiresAt === 'number') && typeof r.computeMs === 'number' &&
    typeof r.flags === 'number' && typeof r.size === 'number' && (r.blob === null || typeof r.blob === 'string') &&
    (r.value === null || r.value instanceof Uint8Array) && (r.value !== null || r.blob !== null) &&
    Array.isArray(r.args) && Array.isArray(r.tags);
}
