import { hash } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { CorruptEntryError } from '../errors.js';
import type { BlobStore } from './blob-store.js';

const REF = /^[0-9a-f]{64}$/;

/**
 * Content-addressed files: `<dir>/<first two hex digits>/<sha256>`. Written to a temp file, fsync'd, then
 * renamed, so a reader never sees half a blob; checked against the hash when read.
 */
export class FsBlobs implements BlobStore {
  constructor(readonly dir: string) {}

  put(bytes: Uint8Array): string {
    const ref = hash('sha256', bytes, 'hex');
    const file = this.path(ref);
    // An existing blob gets a fresh mtime, so gc's orphan grace period protects it until our row lands.
    if (touch(file)) return ref;
    mkdirSync(join(this.dir, ref.slice(0, 2)), { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return ref;
  }

  get(ref: string): Uint8Array {
    if (!REF.test(ref)) throw new CorruptEntryError(`[beautyspot] blob reference "${ref}" is not a SHA-256 digest`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.path(ref));
    } catch (err) {
      throw new CorruptEntryError(`[beautyspot] blob ${ref} cannot be read: ${(err as Error).message}`);
    }
    if (hash('sha256', bytes, 'hex') !== ref) {
      // Damaged for sure (blobs are renamed into place whole): remove it, or put() would keep the damaged file.
      rmSync(this.path(ref), { force: true });
      throw new CorruptEntryError(`[beautyspot] blob ${ref} does not match its hash`);
    }
    return bytes;
  }

  delete(ref: string): void {
    if (REF.test(ref)) rmSync(this.path(ref), { force: true });
  }

  *list(): Iterable<{ ref: string; mtimeMs: number }> {
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
      for (const name of names) {
        if (!REF.test(name)) continue;
        try {
          yield { ref: name, mtimeMs: statSync(join(this.dir, shard, name)).mtimeMs };
        } catch {
          // deleted meanwhile
        }
      }
    }
  }

  private path(ref: string): string {
    return join(this.dir, ref.slice(0, 2), ref);
  }
}

function touch(file: string): boolean {
  try {
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}
