// Scratch projects for the trials that build or run TypeScript through beautyspot: a fresh directory under
// `<repo>/.tmp/` (gitignored), made a package of its own — a package.json, and node_modules/beautyspot linked to
// the repository or installed from it — so `beautyspot` resolves from it, and the plugin and the loader keep their
// on-disk caches in the project's own node_modules/.cache/beautyspot (where a trial can clear them) rather than in
// the repository's.
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** A fresh directory `<repo>/.tmp/<prefix>XXXXXX`; the caller removes it. */
export function scratchDir(prefix) {
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  return mkdtempSync(join(REPO, '.tmp', prefix));
}

/**
 * Makes `dir` a package of its own that depends on beautyspot; returns its beautyspot cache directory. Linked to the
 * repository, or with `installed`, a directory of its own as npm installs it (package.json and dist/; its
 * dependencies resolve from the repository's node_modules above): a vite SSR build keeps an installed dependency
 * external, but bundles a linked one, whose real path is outside node_modules, as the project's own source.
 */
export function ownPackage(dir, { installed = false } = {}) {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: basename(dir).toLowerCase(), private: true, type: 'module' }, null, 2)}\n`);
  const pkg = join(dir, 'node_modules', 'beautyspot');
  if (installed) {
    for (const part of ['package.json', 'dist']) cpSync(join(REPO, part), join(pkg, part), { recursive: true });
  } else {
    symlinkSync(REPO, pkg, 'dir');
  }
  return join(dir, 'node_modules', '.cache', 'beautyspot');
}
