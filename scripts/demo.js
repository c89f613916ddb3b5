// `npm run demo`: runs the example pipeline twice in fresh processes with `beautyspot run`, against the
// embedded SQLite cache, and shows that the second run is served from it.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cacheDir = join(root, '.beautyspot');
const cli = join(root, 'dist', 'src', 'cli.js');
const script = join(root, 'examples', 'pipeline.ts');

// Start from an empty cache so the first run really computes.
for (const file of ['demo.sqlite', 'demo.sqlite-wal', 'demo.sqlite-shm', 'demo.blobs']) {
  rmSync(join(cacheDir, file), { recursive: true, force: true });
}

for (const run of ['first run (empty cache)', 'second run (fresh process, same cache)']) {
  console.log(`\n=== ${run} ===`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [cli, 'run', script, ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`process took ${(performance.now() - started).toFixed(0)} ms`);
}
console.log(`\nThe cache lives in ${cacheDir}`);
