import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, utimesSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { CorruptEntryError } from '../errors.js';
import { blobRef, isBlobRef } from './blob-ref.js';
import type { BlobStore } from './blob-store.js';

const TEMP = /^[0-9a-f]{64}\.\d+\.[0-9a-z]+\.tmp$/;
/** How many verified file identities a process remembers. */
const VERIFIED_MEMORY = 4096;

/**
 * Content-addressed files: `<dir>/<first two hex digits>/<sha256>`. Written to a temp file, fsync'd, then
 * renamed, so a reader never sees half a blob; checked against the hash when read.
 *
 * Hashing a large blob costs several times reading it, so a file is hashed on its first read in a process and
 * again only when its identity (inode, size, mtime, ctime) changes: any write through the file system, or a
 * replacement, changes the ctime, which no program can set back.
 */
export class FsBlobs implements BlobStore {
  private readonly verified = new Map<string, string>();

  constructor(readonly dir: string) {}

  put(bytes: Uint8Array): string {
    const ref = blobRef(bytes);
    const file = this.path(ref);
    // An existing blob gets a fresh mtime, so gc's orphan grace period protects it until our row lands.
    if (refresh(file, bytes.byteLength)) return ref;
    mkdirSync(join(this.dir, ref.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      writeWhole(tmp, bytes);
      renameSync(tmp, file);
    } catch (error) {
      // A write that failed (a full disk) leaves no partial file behind to keep the disk full.
      rmSync(tmp, { force: true });
      throw error;
    }
    return ref;
  }

  get(ref: string): Uint8Array {
    if (!isBlobRef(ref)) throw new CorruptEntryError(`[beautyspot] blob reference "${ref}" is not a SHA-256 digest`);
    let read: { bytes: Buffer; identity: string };
    try {
      read = readWhole(this.path(ref));
    } catch (err) {
      throw new CorruptEntryError(`[beautyspot] blob ${ref} cannot be read: ${(err as Error).message}`);
    }
    if (this.verified.get(ref) === read.identity) return read.bytes;
    if (blobRef(read.bytes) !== ref) {
      // Damaged for sure (blobs are renamed into place whole): remove it, or put() would keep the damaged file.
      rmSync(this.path(ref), { force: true });
      throw new CorruptEntryError(`[beautyspot] blob ${ref} does not match its hash`);
    }
    if (this.verified.size >= VERIFIED_MEMORY) this.verified.clear();
    this.verified.set(ref, read.identity);
    return read.bytes;
  }

  delete(ref: string): void {
    if (isBlobRef(ref)) rmSync(this.path(ref), { force: true });
  }

  *list(): Iterable<{ ref: string; mtimeMs: number }> {
    for (const { name, path } of this.files()) {
      if (!isBlobRef(name)) continue;
      try {
        yield { ref: name, mtimeMs: statSync(path).mtimeMs };
      } catch {
        // deleted meanwhile
      }
    }
  }

  removeAbandoned(olderThanMs: number): number {
    let removed = 0;
    for (const { name, path } of this.files()) {
      if (!TEMP.test(name)) continue;
      try {
        if (statSync(path).mtimeMs >= olderThanMs) continue;
        rmSync(path, { force: true });
        removed++;
      } catch {
        // renamed into place or removed meanwhile
      }
    }
    return removed;
  }

  private *files(): Iterable<{ name: string; path: string }> {
    let shards: string[];
    try {
      shards = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const shard of shards) {
      let names: string[];
      try {
        names = readdirSync(join(this.dir, shard));
      } catch {
        continue;
      }
      for (const name of names) yield { name, path: join(this.dir, shard, name) };
    }
  }

  private path(ref: string): string {
    return join(this.dir, ref.slice(0, 2), ref);
  }
}

/**
 * Gives an existing blob a fresh mtime; false when there is none to keep — missing, or something else in its
 * place (a directory, a file of the wrong size), which is removed so the caller writes the blob again.
 */
function refresh(file: string, size: number): boolean {
  let st: Stats;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  if (!st.isFile() || st.size !== size) {
    rmSync(file, { recursive: true, force: true });
    return false;
  }
  try {
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

/** Writes all of `bytes` to a new file and fsyncs it; a disk that fills midway makes a short write, then an error. */
function writeWhole(file: string, bytes: Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    let at = 0;
    while (at < bytes.byteLength) at += writeSync(fd, bytes, at);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The file's bytes, in memory of their own, and the identity of the file they were read from. */
function readWhole(file: string): { bytes: Buffer; identity: string } {
  const fd = openSync(file, 'r');
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    const bytes = Buffer.allocUnsafeSlow(st.size);
    let at = 0;
    while (at < st.size) {
      const n = readSync(fd, bytes, at, st.size - at, at);
      if (n === 0) throw new Error(`ends after ${at} of ${st.size} bytes`);
      at += n;
    }
    return { bytes, identity: `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}` };
  } finally {
    closeSync(fd);
  }
}
