import { createHash, hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { UnkeyableValueError } from '../errors.js';

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

/** The fix for a path problem: one wording for a FilePath/DirPath parameter, one for a direct fileDigest/dirDigest call. */
interface Fix {
  param: string;
  call: string;
}

const LEAVE_OUT = 'or leave the parameter out of the key (Ignore<…> or key=…)';
const NOT_A_STRING: Fix = { param: `Pass a path string, ${LEAVE_OUT}`, call: 'Pass a path string' };
const UNREADABLE: Fix = { param: `Make it readable by this process, ${LEAVE_OUT}`, call: 'Make it readable by this process' };
const NOT_REGULAR: Fix = { param: `Pass the path of a regular file, ${LEAVE_OUT}`, call: 'Pass the path of a regular file' };
const A_DIRECTORY: Fix = {
  param: 'Declare the parameter as DirPath to key the directory\'s tree (FilePath | DirPath for either), or pass the path of a file',
  call: 'Use dirDigest(path) to key a directory\'s tree, or pass the path of a file',
};
const A_FILE: Fix = {
  param: 'Declare the parameter as FilePath to key the file\'s content (FilePath | DirPath for either), or pass the path of a directory',
  call: 'Use fileDigest(path) to key a file\'s content, or pass the path of a directory',
};

type Fail = (problem: string, fix: Fix, cause?: unknown) => UnkeyableValueError;

/** Errors name the parameter when compiled key code passes it, else the fileDigest/dirDigest call. */
function failure(kind: 'FilePath' | 'DirPath' | 'FilePath | DirPath', path: unknown, param: string | undefined): Fail {
  return (problem, fix, cause) => new UnkeyableValueError(
    param ?? `${kind === 'FilePath' ? 'fileDigest' : 'dirDigest'}(${quote(path)})`,
    param === undefined ? problem : `it is a ${kind}, and ${problem}`,
    param === undefined ? fix.call : fix.param,
    cause === undefined ? undefined : { cause },
  );
}

function quote(path: unknown): string {
  return typeof path === 'string' ? JSON.stringify(path) : String(path);
}

/** `stat` that follows links; a missing path (or one through a file) is `undefined`, anything else unreadable an error. */
function statPath(path: unknown, fail: Fail): Stats | undefined {
  if (typeof path !== 'string') throw fail(`its value is ${path === null ? 'null' : `a ${typeof path}`}, not a path string`, NOT_A_STRING);
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fail(`${quote(path)} cannot be read (${(err as Error).message})`, UNREADABLE, err);
  }
}

/** The digest of a regular file's bytes, memoised; `undefined` when it is missing (`st`: its stat). */
function contentDigest(path: string, fail: Fail, st: Stats | undefined): Buffer | undefined {
  if (st === undefined) return undefined;
  if (st.isDirectory()) throw fail(`${quote(path)} is a directory`, A_DIRECTORY);
  // Reading a FIFO or a device could block forever or never end.
  if (!st.isFile()) throw fail(`${quote(path)} is not a regular file (a FIFO, socket or device)`, NOT_REGULAR);
  const memo = fileMemo.get(path);
  if (sameFile(memo, st)) return memo.digest;
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw fail(`${quote(path)} cannot be read (${(err as Error).message})`, UNREADABLE, err);
  }
  const digest = hash('sha256', bytes, 'buffer') as unknown as Buffer;
  fileMemo.set(path, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, digest });
  return digest;
}

/**
 * SHA-256 of a file's bytes, memoised per path + size + mtime + inode within the process.
 * A missing file gives `undefined` (a distinct key: the result for "no such file" is not the result for any content).
 * A directory, a FIFO/device or an unreadable file throws UnkeyableValueError; compiled key code passes the
 * parameter's name as `param`, so the error names it.
 */
export function fileDigest(path: string, param?: string): Buffer | undefined {
  const fail = failure('FilePath', path, param);
  return contentDigest(path, fail, statPath(path, fail));
}

/**
 * SHA-256 over a directory tree: sorted relative names, each with its file digest (links are followed).
 * `undefined` if missing; a file or an unreadable entry throws UnkeyableValueError naming `param`.
 */
export function dirDigest(path: string, param?: string): Buffer | undefined {
  const fail = failure('DirPath', path, param);
  const st = statPath(path, fail);
  if (st === undefined) return undefined;
  if (!st.isDirectory()) throw fail(`${quote(path)} is not a directory (it is a file)`, A_FILE);
  return treeDigest(path, fail);
}

/**
 * The digest of a `FilePath | DirPath` argument, from one stat: the tree of a directory (`dir`), else the content
 * of a file (`undefined` when the path is missing).
 */
export function pathDigest(path: string, param: string): { dir: boolean; digest: Buffer | undefined } {
  const fail = failure('FilePath | DirPath', path, param);
  const st = statPath(path, fail);
  if (st?.isDirectory()) return { dir: true, digest: treeDigest(path, fail) };
  return { dir: false, digest: contentDigest(path, fail, st) };
}

/** SHA-256 over the tree of the directory `path`. */
function treeDigest(path: string, fail: Fail): Buffer {
  const h = createHash('sha256');
  const walk = (rel: string): void => {
    const dir = join(path, rel);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch (err) {
      throw fail(`${quote(dir)} cannot be read (${(err as Error).message})`, UNREADABLE, err);
    }
    for (const entry of entries) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const full = join(path, name);
      // A link to a directory is walked like one; a link loop ends in ELOOP, reported as unreadable.
      if (entry.isDirectory() || (entry.isSymbolicLink() && statPath(full, fail)?.isDirectory())) {
        h.update(`d:${name}\0`);
        walk(name);
      } else {
        h.update(`f:${name}\0`);
        h.update(contentDigest(full, fail, statPath(full, fail)) ?? Buffer.alloc(0));
      }
    }
  };
  walk('');
  return h.digest();
}
