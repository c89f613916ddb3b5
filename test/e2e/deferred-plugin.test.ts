import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO } from './fixture-project.js';

// The vite, rollup and rolldown adapters load unplugin (and the transform's code) only when a file that passes
// the hook filter reaches them: a build without annotations resolves none of it. Each build runs in a fresh
// process that logs every module it resolves.

let dir: string;
beforeAll(() => {
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  dir = mkdtempSync(join(REPO, '.tmp', 'deferred-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Builds `source` as src/main.ts with vite and beautyspot's vite adapter; the modules resolved and the output. */
function viteBuild(name: string, source: string): { modules: string[]; output: string } {
  const root = join(dir, name);
  mkdirSync(join(root, 'src'), { recursive: true });
  writeFileSync(join(root, 'src', 'main.ts'), source);
  const log = join(root, 'modules.log');
  writeFileSync(log, '');
  const adapter = pathToFileURL(join(REPO, 'dist', 'plugin', 'adapters', 'vite.js')).href;
  const script = `import { build } from 'vite'; import beautyspot from ${JSON.stringify(adapter)};
    await build({ root: ${JSON.stringify(root)}, configFile: false, logLevel: 'silent', plugins: [beautyspot()],
      build: { ssr: 'src/main.ts', outDir: 'dist', emptyOutDir: true } });`;
  const run = spawnSync(process.execPath, ['--import', join(REPO, 'test', 'e2e', 'module-log.mjs'), '--input-type=module', '-e', script], {
    cwd: REPO,
    env: { ...process.env, MODULE_LOG: log, BEAUTYSPOT_DIR: join(root, '.cache') },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`the vite build failed:\n${run.stderr}`);
  return { modules: readFileSync(log, 'utf8').split('\n'), output: readFileSync(join(root, 'dist', 'main.js'), 'utf8') };
}

const unplugin = (modules: string[]) => modules.filter(url => /\/node_modules\/unplugin\/|\/adapters\/unplugin\.js$/.test(url));

it('a vite build without annotations never loads unplugin or the transform', () => {
  const { modules, output } = viteBuild('plain', 'export function double(n: number): number {\n  return n * 2;\n}\nconsole.log(double(2));\n');
  expect(modules.some(url => url.endsWith('/adapters/deferred.js'))).toBe(true);
  expect(unplugin(modules)).toEqual([]);
  expect(output).toContain('n * 2');
}, 120_000);

it('a vite build with an annotation loads them and rewrites the marked function', () => {
  const { modules, output } = viteBuild('marked', '/** @mark */\nexport function double(n: number): number {\n  return n * 2;\n}\nconsole.log(double(2));\n');
  expect(unplugin(modules).length).toBeGreaterThan(0);
  expect(output).toContain('markCompiled(');
}, 120_000);
