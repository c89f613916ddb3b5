// `npm run build`, after tsc: the runtime's public entries (beautyspot, beautyspot/redis, beautyspot/s3) become
// bundles, so a process that imports the runtime resolves and links a handful of modules instead of ~80 (each one
// also a round trip to the loader's thread under `beautyspot run`). The entries share their code through chunks, so
// every class (the errors, the stores) exists once whichever entries a program imports; tsc's per-file output stays
// beside them for the CLI, the plugin and the type declarations.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
const OUT = join(REPO, 'dist', 'runtime');
const CHUNKS = 'chunks';

rmSync(join(OUT, CHUNKS), { recursive: true, force: true });
const ENTRIES = ['index', 'redis/index', 's3/index'];
const result = await build({
  absWorkingDir: REPO,
  entryPoints: ENTRIES.map(entry => `runtime/${entry}.ts`),
  outbase: 'runtime',
  outdir: OUT,
  // One directory below dist/runtime, as every runtime module is: their `new URL('../remote/bridge-worker.js',
  // import.meta.url)` finds the same file from a chunk as from tsc's output (checked below).
  chunkNames: `${CHUNKS}/[name]-[hash]`,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // better-sqlite3 is native, and the optional peers (redis, the AWS SDK) load through createRequire when used.
  external: ['better-sqlite3'],
  // @msgpack/msgpack's ES modules (its "main" is CommonJS, which cannot be tree-shaken).
  mainFields: ['module', 'main'],
  // No source maps: with them enabled (`beautyspot run`, beautyspot/register) Node reads and parses a linked map
  // for every module it loads (≈ 5 ms for these bundles' maps, measured); the bundle is plain JavaScript, each
  // part headed by its source file's name.
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
});

// tsc's maps of the entries describe the files the bundles replaced.
for (const entry of ENTRIES) rmSync(join(OUT, `${entry}.js.map`), { force: true });

// A worker script or module named by a URL relative to a bundled file must exist there.
for (const file of Object.keys(result.metafile.outputs).filter(f => f.endsWith('.js'))) {
  const path = join(REPO, file);
  for (const [, target] of readFileSync(path, 'utf8').matchAll(/new URL\("([^"]+)", import\.meta\.url\)/g)) {
    const found = join(dirname(path), target);
    if (!existsSync(found)) throw new Error(`bundle-runtime: ${relative(REPO, path)} names ${target}, but ${relative(REPO, found)} does not exist`);
  }
}
