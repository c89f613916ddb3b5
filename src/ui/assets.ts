import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/**
 * Where the built page is: dist/ui of the package, whether this file runs built (dist/src/ui/) or from its source
 * (src/ui/, in the repository's tests).
 */
export function assetsDir(): string {
  const candidates = ['../../ui', '../../dist/ui'].map(path => fileURLToPath(new URL(path, import.meta.url)));
  const found = candidates.find(dir => existsSync(join(dir, 'index.html')));
  if (!found) {
    throw new Error(`[beautyspot] the dashboard's page is not built: no index.html in ${candidates.join(' or ')}. ` +
      'Run `npm run build` in the beautyspot package (it builds the page with vite).');
  }
  return found;
}

/** The built page's files, read once: path → type and bytes. */
export function loadAssets(dir: string): Map<string, { type: string; body: Buffer }> {
  const files = new Map<string, { type: string; body: Buffer }>();
  const add = (path: string): void => {
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) || !existsSync(file)) return;
    files.set(`/${path}`, { type: TYPES[extname(file)] ?? 'application/octet-stream', body: readFileSync(file) });
  };
  const manifest = readFileSync(join(dir, 'index.html'), 'utf8');
  add('index.html');
  for (const [, path] of manifest.matchAll(/(?:src|href)="\/([^"]+)"/g)) add(path!);
  return files;
}
