import { Decoder, Encoder } from '@msgpack/msgpack';
import { createHash, hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { validateSpotName } from '../../runtime/spot/spot-options.js';
import type { EntryRecord } from '../../runtime/store/store.js';

/**
 * The portable file `beautyspot export` writes: gzip of frames, each a u32 little-endian length and a msgpack map.
 * First a header, then per spot its blobs (each once, before the first entry that uses it) and entries, then a
 * trailer with the counts and the SHA-256 of every frame before it (length prefixes included).
 */
export const FORMAT = 'beautyspot-export';
export const FORMAT_VERSION = 1;

export interface Header { t: 'header'; format: string; version: number; beautyspot: string; createdAt: number; spots: string[] }
export interface BlobFrame { t: 'blob'; spot: string; ref: string; bytes: Uint8Array }
export interface EntryFrame { t: 'entry'; spot: string; record: EntryRecord }
export interface End { t: 'end'; entries: number; blobs: number; sha256: string }
export type Frame = Header | BlobFrame | EntryFrame | End;

export interface Counts {
  entries: number;
  blobs: number;
  /** Value bytes: inline values and blobs. */
  bytes: number;
}

/** What a checked file holds: its header, and the counts of each spot with anything in it. */
export interface ExportContents {
  header: Header;
  spots: Map<string, Counts>;
}

/** Why a file cannot be imported: nothing of it was written. */
export class ImportFileError extends Error {}

/** What `visit` threw, carried past the handling of read errors. */
class VisitFailed {
  constructor(readonly cause: unknown) {}
}

const encoder = new Encoder({ ignoreUndefined: true });
const decoder = new Decoder();

export function frameBytes(frame: Frame): Buffer {
  const body = encoder.encodeSharedRef(frame);
  const bytes = Buffer.allocUnsafe(4 + body.length);
  bytes.writeUInt32LE(body.length, 0);
  bytes.set(body, 4);
  return bytes;
}

export function emptyCounts(): Counts {
  return { entries: 0, blobs: 0, bytes: 0 };
}

/**
 * Reads a whole export file and checks it: the format, every frame (complete records of spots the header names),
 * each blob's SHA-256 against its ref, each entry's blob earlier in the file, the trailer's counts and hash. Throws
 * `ImportFileError`, or what `visit` throws; `visit` sees each blob and entry once it is checked (so only the trailer is
 * still to come).
 */
export async function readExport(input: Readable, visit: (frame: BlobFrame | EntryFrame) => void): Promise<ExportContents> {
  const digest = createHash('sha256');
  const total = emptyCounts();
  let header: Header | undefined;
  const spots = new Map<string, Counts>();
  const blobsSeen = new Set<string>();
  let end: End | undefined;
  try {
    for await (const bytes of frames(input)) {
      if (end) throw new ImportFileError('bytes follow its trailer: damaged');
      const frame = parse(bytes, header);
      if (frame.t === 'end') {
        end = frame;
        continue;
      }
      digest.update(bytes);
      if (frame.t === 'header') {
        header = frame;
        continue;
      }
      const counts = spots.get(frame.spot) ?? emptyCounts();
      spots.set(frame.spot, counts);
      if (frame.t === 'blob') {
        if (hash('sha256', frame.bytes, 'hex') !== frame.ref) throw new ImportFileError(`blob ${frame.ref.slice(0, 16)}… does not match its hash: damaged`);
        blobsSeen.add(`${frame.spot}\0${frame.ref}`);
        count([counts, total], 'blobs', frame.bytes.length);
      } else {
        const { record } = frame;
        if (record.blob !== null && !blobsSeen.has(`${frame.spot}\0${record.blob}`)) {
          throw new ImportFileError(`entry ${record.key.slice(0, 12)}… uses a blob the file does not hold before it: damaged`);
        }
        count([counts, total], 'entries', record.value?.length ?? 0);
      }
      try {
        visit(frame);
      } catch (error) {
        throw new VisitFailed(error);
      }
    }
  } catch (error) {
    if (error instanceof VisitFailed) throw error.cause;
    if (error instanceof ImportFileError) throw error;
    throw new ImportFileError(`it cannot be read (${(error as Error).message}): damaged or truncated`);
  }
  if (!header) throw new ImportFileError('it is empty');
  if (!end) throw new ImportFileError('it ends before its trailer: truncated');
  if (end.entries !== total.entries || end.blobs !== total.blobs || end.sha256 !== digest.digest('hex')) {
    throw new ImportFileError('its contents do not match its trailer: damaged');
  }
  return { header, spots };
}

function count(counts: Counts[], kind: 'entries' | 'blobs', bytes: number): void {
  for (const c of counts) {
    c[kind]++;
    c.bytes += bytes;
  }
}

/**
 * The frames of a file (gunzipped), each with its length prefix, streamed: chunks are kept only until the frame they
 * complete is whole, and joined once, so a large blob costs its own size, not a copy per chunk.
 */
async function* frames(input: Readable): AsyncGenerator<Buffer> {
  const gunzip = createGunzip();
  input.on('error', error => gunzip.destroy(error));
  const chunks: Buffer[] = [];
  let buffered = 0;
  const take = (size: number): Buffer => {
    const bytes = chunks[0]!.length >= size ? chunks[0]!.subarray(0, size) : Buffer.concat(chunks, size);
    buffered -= size;
    let left = size;
    while (left > 0 && left >= chunks[0]!.length) left -= chunks.shift()!.length;
    if (left > 0) chunks[0] = chunks[0]!.subarray(left);
    return bytes;
  };
  for await (const chunk of input.pipe(gunzip)) {
    chunks.push(chunk as Buffer);
    buffered += (chunk as Buffer).length;
    while (buffered >= 4) {
      if (chunks[0]!.length < 4) { // a length prefix split across chunks
        chunks.unshift(take(4));
        buffered += 4;
      }
      const size = 4 + chunks[0]!.readUInt32LE(0);
      if (buffered < size) break;
      yield take(size);
    }
  }
  if (buffered > 0) throw new ImportFileError('it ends inside a frame: truncated');
}

function parse(bytes: Buffer, header: Header | undefined): Frame {
  const frame = decoder.decode(bytes.subarray(4)) as Frame;
  if (!isObject(frame)) throw new ImportFileError('it holds a frame that is not a record: damaged');
  if (!header) return checkHeader(frame);
  switch (frame.t) {
    case 'blob':
      if (!header.spots.includes(frame.spot) || !isRef(frame.ref) || !(frame.bytes instanceof Uint8Array)) {
        throw new ImportFileError('it holds an incomplete blob: damaged');
      }
      return frame;
    case 'entry': {
      const problem = !header.spots.includes(frame.spot) ? `spot ${JSON.stringify(frame.spot)} is not in its header` : recordProblem(frame.record);
      if (problem) throw new ImportFileError(`it holds an incomplete entry (${problem}): damaged`);
      return frame;
    }
    case 'end':
      if (typeof frame.entries !== 'number' || typeof frame.blobs !== 'number' || typeof frame.sha256 !== 'string') {
        throw new ImportFileError('its trailer is incomplete: damaged');
      }
      return frame;
    default:
      throw new ImportFileError('it holds a frame of an unknown kind: damaged, or written by a newer beautyspot');
  }
}

function checkHeader(frame: Frame): Header {
  if (frame.t !== 'header' || frame.format !== FORMAT) throw new ImportFileError('it is not a beautyspot export');
  if (typeof frame.version !== 'number' || frame.version > FORMAT_VERSION) {
    throw new ImportFileError(`it was written by beautyspot ${String(frame.beautyspot)} in format version ${String(frame.version)}, ` +
      `newer than this beautyspot reads (${FORMAT_VERSION}); upgrade beautyspot`);
  }
  if (!Array.isArray(frame.spots)) throw new ImportFileError('its header is incomplete: damaged');
  for (const spot of frame.spots) {
    try {
      validateSpotName(spot);
    } catch {
      throw new ImportFileError(`its header names a spot that cannot be one (${JSON.stringify(spot)}): damaged`);
    }
  }
  return frame;
}

const KEY = /^[A-Za-z0-9_-]{43}$/;
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isRef = (x: unknown): x is string => typeof x === 'string' && /^[0-9a-f]{64}$/.test(x);
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isPairs = (x: unknown): boolean => Array.isArray(x) && x.every(p => Array.isArray(p) && p.length === 2 && p.every(s => typeof s === 'string'));

/** What makes a record unfit for a store's `put`, or undefined when it is complete. */
function recordProblem(r: EntryRecord): string | undefined {
  if (!isObject(r)) return 'no record';
  if (typeof r.key !== 'string' || !KEY.test(r.key)) return 'its key is not a beautyspot key';
  const fields: [string, boolean][] = [
    ['fn', typeof r.fn === 'string' && r.fn.length > 0],
    ['createdAt', isTime(r.createdAt)],
    ['expiresAt', r.expiresAt === null || isTime(r.expiresAt)],
    ['computeMs', isTime(r.computeMs) && r.computeMs >= 0],
    ['size', Number.isSafeInteger(r.size) && r.size >= 0],
    ['flags', Number.isInteger(r.flags) && r.flags >= 0 && r.flags <= 3],
    ['value or blob', r.value === null ? isRef(r.blob) : r.value instanceof Uint8Array && r.blob === null],
    ['args', isPairs(r.args)],
    ['tags', Array.isArray(r.tags) && r.tags.every(t => typeof t === 'string')],
    ['code', r.code === undefined || (isObject(r.code) && typeof r.code.hash === 'string' && typeof r.code.version === 'string' &&
      typeof r.code.body === 'string' && isPairs(r.code.deps))],
  ];
  const bad = fields.find(([, ok]) => !ok);
  return bad && `entry ${r.key.slice(0, 12)}…: ${bad[0]}`;
}
