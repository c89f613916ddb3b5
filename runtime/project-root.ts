import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The nearest `name` at or above `from` (a file or a directory), as a path; undefined when there is none. */
export function findUp(from: string, name: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return undefined;
  }
}

/** The nearest directory at or above `from` that holds a package.json. */
export function packageDir(from: string): string | undefined {
  const pkg = findUp(from, 'package.json');
  return pkg && dirname(pkg);
}

let root: string | undefined;

/** The project a run belongs to: the package around the working directory; else the working directory. */
export function projectRoot(): string {
  return (root ??= packageDir(process.cwd()) ?? process.cwd());
}

/** Where spots keep their files unless a spot names its own `dir`: `BEAUTYSPOT_DIR`, else `.beautyspot/` in the project. */
export function defaultCacheDir(): string {
  return process.env.BEAUTYSPOT_DIR ?? join(projectRoot(), '.beautyspot');
}
