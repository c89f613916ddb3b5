import type { Readable } from 'node:stream';
import { CorruptEntryError } from '../../runtime/errors.js';
import type { Spot } from '../../runtime/spot/spot.js';
import type { StoredValue } from '../../runtime/store/store.js';
import { readExport, type BlobFrame, type EntryFrame } from './portable.js';

export interface ImportResult {
  /** Entries written. */
  imported: number;
  /** Entries the cache already had, computed as recently or later: kept as they were. */
  kept: number;
  /** Entries that expired since the export: left out. */
  expired: number;
  /** Blobs the imported entries use. */
  blobs: number;
  /** Value bytes of the imported entries: inline values and blobs (each once). */
  bytes: number;
}

/**
 * Writes the blobs and entries of a checked export file into the spots of `targets` (the file's other spots are left
 * out), through their stores and blob stores. An entry whose key the target has keeps whichever was computed later.
 */
export async function importEntries(input: Readable, targets: Map<string, Spot>): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, kept: 0, expired: 0, blobs: 0, bytes: 0 };
  // Blobs come before the entries that use them, so whether one is needed is known only later: a blob that only kept
  // entries use stays for gc to collect, as after any rewrite.
  const unused = new Map<string, number>(); // `<spot>\0<ref>` of blobs written, not yet used by an imported entry → size
  const write = (frame: BlobFrame | EntryFrame): void => {
    const spot = targets.get(frame.spot);
    if (!spot) return;
    const { store, blobs } = spot.parts();
    if (frame.t === 'blob') {
      const ref = blobs.put(frame.bytes);
      if (ref !== frame.ref) throw new Error(`[beautyspot] the blob store of spot "${spot.name}" filed blob ${frame.ref.slice(0, 16)}… as ${ref.slice(0, 16)}…`);
      unused.set(`${frame.spot}\0${ref}`, frame.bytes.length);
      return;
    }
    const { record } = frame;
    if (record.expiresAt !== null && record.expiresAt <= Date.now()) {
      result.expired++;
      return;
    }
    const existing = existingEntry(spot, record.key);
    if (existing && existing.createdAt >= record.createdAt) {
      result.kept++;
      return;
    }
    store.put(record);
    result.imported++;
    result.bytes += record.value?.length ?? 0;
    const blob = `${frame.spot}\0${record.blob}`;
    if (unused.has(blob)) {
      result.blobs++;
      result.bytes += unused.get(blob)!;
      unused.delete(blob);
    }
  };
  await readExport(input, write);
  return result;
}

/** The target's entry of `key`; a damaged one counts as none (the import replaces it, as a pipeline would). */
function existingEntry(spot: Spot, key: string): StoredValue | undefined {
  try {
    return spot.parts().store.get(key);
  } catch (error) {
    if (error instanceof CorruptEntryError) return undefined;
    throw error;
  }
}
