import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { REPO, type FixtureProject } from './fixture-project.js';

/** One way to compile and run the fixture: a bundler's build and the node command that runs its output. */
export interface Bundler {
  name: string;
  /** Compiles the project (the Node loader compiles when the program runs, so its build does nothing). */
  build(project: FixtureProject): Promise<void>;
  /** Arguments of the `node` command that runs the program. */
  args(project: FixtureProject): string[];
  /** The text of a compile error: the rejected build's error, or for the loader the failing run's stderr. */
  compileError(project: FixtureProject): Promise<string>;
}

/** The built plugin adapter (dist/plugin/<file>.js), as a user's build config would import it. */
async function plugin(file: string): Promise<() => any> {
  const module = await import(pathToFileURL(join(REPO, 'dist', 'plugin', `${file}.js`)).href);
  return module.default;
}

/** Bundlers reject at build time; a build that succeeds is reported with what its output did. */
async function buildError(bundler: Bundler, project: FixtureProject): Promise<string> {
  try {
    await bundler.build(project);
  } catch (error) {
    return (error as Error).message;
  }
  const run = project.spawn(bundler.args(project));
  throw new Error(`the ${bundler.name} build succeeded; its output exited with ${run.status}:\n${run.stderr}`);
}

/** The bundled output runs with node's source-map support, so stack traces name the TypeScript lines. */
const runBundle = (project: FixtureProject): string[] => ['--enable-source-maps', project.path('dist/main.js')];

export const vite: Bundler = {
  name: 'vite',
  async build(project) {
    const beautyspot = await plugin('vite');
    await viteBuild({
      root: project.dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [beautyspot()],
      build: { ssr: project.path('src/main.ts'), outDir: project.path('dist'), emptyOutDir: true, sourcemap: true },
    });
  },
  args: runBundle,
  compileError(project) {
    return buildError(this, project);
  },
};

export const esbuildBundler: Bundler = {
  name: 'esbuild',
  async build(project) {
    const beautyspot = await plugin('esbuild');
    await esbuild({
      entryPoints: [project.path('src/main.ts')],
      outfile: project.path('dist/main.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      sourcemap: true,
      logLevel: 'silent',
      plugins: [beautyspot()],
    });
  },
  args: runBundle,
  compileError(project) {
    return buildError(this, project);
  },
};

export const nodeLoader: Bundler = {
  name: 'node loader',
  async build() {},
  args: project => ['--import', join(REPO, 'dist', 'plugin', 'register.js'), project.path('src/main.ts')],
  async compileError(project) {
    const run = project.spawn(this.args(project));
    if (run.status === 0) throw new Error(`the program ran under the loader:\n${run.stdout}`);
    return run.stderr;
  },
};

export const BUNDLERS: Bundler[] = [vite, esbuildBundler, nodeLoader];
