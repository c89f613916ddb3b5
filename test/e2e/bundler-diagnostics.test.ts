import { readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild, formatMessages, type BuildFailure } from 'esbuild';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO } from './fixture-project.js';

// End to end: the built vite and esbuild adapters (dist/plugin/adapters) on a copy of fixtures/run-javascript:
// its JavaScript job compiles and caches like TypeScript does, and a file with build errors is reported with a
// header that agrees with the message (vite) and a code frame (esbuild).

const adapter = async (name: string): Promise<() => any> =>
  (await import(pathToFileURL(join(REPO, 'dist', 'plugin', 'adapters', `${name}.js`)).href)).default;

/** Builds `entry` into dist/ and returns the output file. */
const BUILDS: Record<string, (project: FixtureProject, entry: string) => Promise<string>> = {
  async vite(project, entry) {
    await viteBuild({
      root: project.dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [(await adapter('vite'))()],
      build: { ssr: project.path(entry), outDir: project.path('dist'), emptyOutDir: true },
    });
    return project.path(`dist/${readdirSync(project.path('dist')).find(f => f.endsWith('.js'))}`);
  },
  async esbuild(project, entry) {
    const outfile = project.path('dist/main.js');
    await esbuild({
      entryPoints: [project.path(entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
      plugins: [(await adapter('esbuild'))()],
    });
    return outfile;
  },
};

const BROKEN = [
  'export class Connection {}', // 1
  '/** @mark */', // 2
  'export function open(conn: Connection): number {', // 3
  '  return conn ? 1 : 0;', // 4
  '}', // 5
  '/** @mark version=2 tll=7d */', // 6
  'export function f(x: number): number {', // 7
  '  return x;', // 8
  '}', // 9
].join('\n');
const FIRST = '3:22 open: parameter conn (type Connection) is an instance of class Connection, which has no [keyHook]() method';
const SECOND = '6:21 Unknown mark option "tll" (did you mean "ttl"?)';

describe.each(Object.keys(BUILDS))('%s', name => {
  const build = BUILDS[name]!;
  let project: FixtureProject;
  beforeAll(() => {
    project = FixtureProject.create(`diagnostics-${name}`, 'run-javascript');
    writeFileSync(project.path('src/broken.ts'), BROKEN);
  });
  afterAll(() => project?.remove());

  it('compiles a JavaScript job with the plugin: its second run executes no marked body', async () => {
    const output = await build(project, 'src/job.mjs');
    const runs = [0, 1].map(() => {
      const run = project.spawn([output]);
      expect(run.status, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as { ran: Record<string, number> };
    });
    expect(runs[0]!.ran).toEqual({ 'fetchTitle:a': 1, countWords: 1, tally: 1 });
    expect(runs[1]!.ran).toEqual({});
  });

  it('reports every error of a file in line order, each with file:line:col', async () => {
    const error = await build(project, 'src/broken.ts').then(() => undefined, (e: Error) => e);
    // Diagnostics name files relative to the working directory, as the bundlers do.
    const file = relative(process.cwd(), project.path('src/broken.ts'));
    expect(error?.message).toContain(`[beautyspot] ${file}:${FIRST}`);
    expect(error!.message).toContain(`[beautyspot] ${file}:${SECOND}`);
    expect(error!.message.indexOf(FIRST)).toBeLessThan(error!.message.indexOf(SECOND));
    if (name === 'vite') {
      // vite's header names the first error's place as the message does.
      expect(error!.message).toContain(`[plugin beautyspot] ${project.path('src/broken.ts')}:3:22\n`);
    } else {
      // esbuild prints the line under its (0-based) location, with a caret at the parameter.
      const [formatted] = await formatMessages((error as BuildFailure).errors, { kind: 'error' });
      expect(formatted).toContain(`${file}:3:21:`);
      const lines = formatted!.split('\n');
      const code = lines.findIndex(l => l.endsWith('export function open(conn: Connection): number {'));
      expect(code).toBeGreaterThan(0);
      expect(lines[code + 1]!.indexOf('^')).toBe(lines[code]!.indexOf('conn'));
    }
  });
});
