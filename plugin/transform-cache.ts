import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageDir } from '../runtime/project-root.js';

interface Dependency {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** One write in fifty looks for stale entries; entries are stale after two weeks unused. */
const PRUNE_CHANCE = 0.02;
const PRUNE_AFTER_MS = 14 * 86_400_000;

interface Entry<T> {
  value: T;
  dependencies: Dependency[];
}

/**
 * Compiler output on disk, so a second run or build of unchanged code never loads the TypeScript compiler
 * (the Node loader keeps JavaScript, the bundler plugin rewritten source and its map). An entry is keyed by the
 * compiler's identity and the module's path and source, and is used only while every file it depends on
 * (types, referenced code, tsconfig) still has the same content.
 */
export class TransformCache<T> {
  constructor(private readonly dir: string, private readonly salt: string) {}

  get(fileName: string, source: string): T | undefined {
    const file = this.path(fileName, source);
    let entry: Entry<T>;
    try {
      entry = JSON.parse(readFileSync(file, 'utf8')) as Entry<T>;
    } catch {
      return undefined;
    }
    if (!entry.dependencies.every(fresh)) return undefined;
    keepAlive(file);
    return entry.value;
  }

  set(fileName: string, source: string, value: T, dependencies: string[]): void {
    const entry: Entry<T> = { value, dependencies: dependencies.flatMap(describe) };
    const file = this.path(fileName, source);
    try {
      mkdirSync(this.dir, { recursive: true });
      if (Math.random() < PRUNE_CHANCE) this.prune();
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }

  /** Removes entries not used for PRUNE_AFTER_MS: each edit of a file leaves its old entry behind. */
  private prune(): void {
    const cutoff = Date.now() - PRUNE_AFTER_MS;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      try {
        if (statSync(file).mtimeMs < cutoff) rmSync(file, { force: true });
      } catch {
        // removed meanwhile
      }
    }
  }

  private path(fileName: string, source: string): string {
    return join(this.dir, `${sha256(`${this.salt}\0${fileName}\0${source}`).slice(0, 40)}.json`);
  }
}

/** An entry in use gets a fresh mtime once a day, so pruning only takes entries nobody reads. */
function keepAlive(file: string): void {
  try {
    if (statSync(file).mtimeMs < Date.now() - 86_400_000) utimesSync(file, new Date(), new Date());
  } catch {
    // best effort
  }
}

function describe(path: string): Dependency[] {
  try {
    const st = statSync(path);
    return [{ path, size: st.size, mtimeMs: st.mtimeMs, sha256: sha256(readFileSync(path)) }];
  } catch {
    return [];
  }
}

function fresh(dep: Dependency): boolean {
  try {
    const st = statSync(dep.path);
    if (st.size === dep.size && st.mtimeMs === dep.mtimeMs) return true;
    return st.size === dep.size && sha256(readFileSync(dep.path)) === dep.sha256;
  } catch {
    return false;
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `node_modules/.cache/beautyspot` of the nearest project, as other tools keep theirs. */
export function cacheDir(from: string): string {
  return join(packageDir(from) ?? from, 'node_modules', '.cache', 'beautyspot');
}

let identity: string | undefined;

/**
 * Changes whenever the compiler does. An installed release is its version; a development build (this
 * repository, or a link to it) is the content of its compiled plugin files, so a rebuild that changes any of
 * them — `tsc --watch` rewrites only the changed ones — invalidates, and one that changes none does not.
 */
export function compilerIdentity(): string {
  if (identity !== undefined) return identity;
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(join(packageDir(here)!, 'package.json'), 'utf8')) as { version: string };
  if (here.split(sep).includes('node_modules')) return (identity = pkg.version);
  const hash = createHash('sha256');
  // About 2 ms for the ~30 files (a recursive readdirSync is slower: it lists the .d.ts and .map files too).
  // Compiled (.js in dist/plugin) or run from source (.ts in plugin/, as the watch tests do).
  (function walk(dir: string, prefix: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else if (/(?<!\.d)\.[jt]s$/.test(entry.name)) hash.update(`${prefix}${entry.name}\0`).update(readFileSync(join(dir, entry.name)));
    }
  })(here, '');
  return (identity = `${pkg.version}:${hash.digest('hex')}`);
}
