import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import { EntryFlag, type StoredValue } from '../../runtime/store/store.js';
import type { StoredBytes } from './cache-view.js';

/** An entry's encoded value: inline, or its blob's bytes; undefined when the blob is missing or damaged (a miss for the pipeline too). */
export function storedBytes(entry: Pick<StoredValue, 'value' | 'blob' | 'flags'>, blobs: BlobStore): StoredBytes | undefined {
  const async = (entry.flags & EntryFlag.async) !== 0;
  if (entry.value !== null) return { bytes: entry.value, blob: null, async };
  try {
    return { bytes: blobs.get(entry.blob!), blob: entry.blob, async };
  } catch {
    return undefined;
  }
}
