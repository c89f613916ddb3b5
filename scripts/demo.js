// `npm run demo`: runs the example pipeline twice in fresh processes against the embedded SQLite cache,
// and shows that the second run is served from it.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const cacheDir = join(root, '.beautyspot');
const script = join(root, 'dist', 'examples', 'pipeline.js');

// Start from an empty cache so the first run really computes.
rmSync(join(cacheDir, 'demo.sqlite'), { force: true });
rmSync(join(cacheDir, 'demo.sqlite-wal'), { force: true });
rmSync(join(cacheDir, 'demo.sqlite-shm'), { force: true });
rmSync(join(cacheDir, 'demo.blobs'), { recursive: true, force: true });

for (const run of ['first run (empty cache)', 'second run (fresh process, same cache)']) {
  console.log(`\n=== ${run} ===`);
  const started = performance.now();
  const result = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  console.log(`process took ${(performance.now() - started).toFixed(0)} ms`);
}
console.log(`\nThe cache lives in ${cacheDir}`);
