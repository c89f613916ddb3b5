import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let root: string | undefined;

/** The nearest directory at or above the working directory that holds a package.json; else the working directory. */
export function projectRoot(): string {
  if (root !== undefined) return root;
  const cwd = process.cwd();
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) return (root = cwd);
  }
}
