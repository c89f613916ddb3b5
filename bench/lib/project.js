// Scratch projects for the trials that build or run TypeScript through beautyspot: a fresh directory under
// `<repo>/.tmp/` (gitignored), made a package of its own — a package.json, and node_modules/beautyspot linked to
// the repository — so `beautyspot` resolves from it, and the plugin and the loader keep their on-disk caches in
// the project's own node_modules/.cache/beautyspot (where a trial can clear them) rather than in the repository's.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A fresh directory `<repo>/.tmp/<prefix>XXXXXX`; the caller removes it. */
export function scratchDir(prefix) {
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  return mkdtempSync(join(REPO, '.tmp', prefix));
}

/** Makes `dir` a package of its own that depends on beautyspot (linked); returns its beautyspot cache directory. */
export function ownPackage(dir) {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: basename(dir).toLowerCase(), private: true, type: 'module' }, null, 2)}\n`);
  symlinkSync(REPO, join(dir, 'node_modules', 'beautyspot'), 'dir');
  return join(dir, 'node_modules', '.cache', 'beautyspot');
}
