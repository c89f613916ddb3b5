import { createHash, hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';

declare const fileBrand: unique symbol;
declare const dirBrand: unique symbol;

/**
 * A path whose file *content* is part of the cache key. The brand is optional, so a plain string is
 * assignable: `render(page: FilePath)` is called as `render('a.md')`.
 */
export type FilePath = string & { readonly [fileBrand]?: 'FilePath' };

/** A directory whose tree (relative names and file contents) is part of the cache key. */
export type DirPath = string & { readonly [dirBrand]?: 'DirPath' };

interface Memo {
  size: number;
  mtimeMs: number;
  ino: number;
  digest: Buffer;
}

const fileMemo = new Map<string, Memo>();

function sameFile(memo: Memo | undefined, st: Stats): memo is Memo {
  return memo !== undefined && memo.size === st.size && memo.mtimeMs === st.mtimeMs && memo.ino === st.ino;
}

/**
 * SHA-256 of a file's bytes, memoised per path + size + mtime + inode within the process.
 * A missing file gives `undefined` (a distinct key: the result for "no such file" is not the result for any content).
 */
export function fileDigest(path: string): Buffer | undefined {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const memo = fileMemo.get(path);
  if (sameFile(memo, st)) return memo.digest;
  const digest = hash('sha256', readFileSync(path), 'buffer') as unknown as Buffer;
  fileMemo.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest });
  return digest;
}

/** SHA-256 over a directory tree: sorted relative names, each with its file digest. `undefined` if missing. */
export function dirDigest(path: string): Buffer | undefined {
  try {
    if (!statSync(path).isDirectory()) throw new Error(`${path} is not a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const entries = readdirSync(join(path, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        h.update(`d:${name}\0`);
        walk(name);
      } else {
        h.update(`f:${name}\0`);
        h.update(fileDigest(join(path, name)) ?? Buffer.alloc(0));
      }
    }
  };
  walk('');
  return h.digest();
}
