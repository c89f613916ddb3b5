import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Dependency {
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

interface Entry {
  code: string;
  dependencies: Dependency[];
}

/**
 * Compiled modules on disk, so a second `node --import beautyspot/register` run of unchanged code never loads
 * the TypeScript compiler. An entry is keyed by the compiler's identity and the module's path and source, and
 * is used only while every file it depends on (types, referenced code) still has the same content.
 */
export class TransformCache {
  constructor(private readonly dir: string, private readonly salt: string) {}

  get(fileName: string, source: string): string | undefined {
    let entry: Entry;
    try {
      entry = JSON.parse(readFileSync(this.path(fileName, source), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    return entry.dependencies.every(fresh) ? entry.code : undefined;
  }

  set(fileName: string, source: string, code: string, dependencies: string[]): void {
    const entry: Entry = { code, dependencies: dependencies.flatMap(describe) };
    const file = this.path(fileName, source);
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entry));
      renameSync(tmp, file);
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }

  private path(fileName: string, source: string): string {
    return join(this.dir, `${sha256(`${this.salt}\0${fileName}\0${source}`).slice(0, 40)}.json`);
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
