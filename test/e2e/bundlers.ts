import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rspack } from '@rspack/core';
import { build as esbuild, transform as esbuildTransform } from 'esbuild';
import { rolldown as rolldownBuild } from 'rolldown';
import { rollup as rollupBuild, type Plugin as RollupPlugin } from 'rollup';
import { build as viteBuild } from 'vite';
import webpackBuild from 'webpack';
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

/** A bundler that writes dist/main.js and rejects the build on a compile error. */
function bundled(name: string, build: (project: FixtureProject) => Promise<void>): Bundler {
  return {
    name,
    build,
    args: runBundle,
    compileError(project) {
      return buildError(this, project);
    },
  };
}

export const vite = bundled('vite', async project => {
  const beautyspot = await plugin('vite');
  await viteBuild({
    root: project.dir,
    configFile: false,
    logLevel: 'silent',
    plugins: [beautyspot()],
    build: { ssr: project.path('src/main.ts'), outDir: project.path('dist'), emptyOutDir: true, sourcemap: true },
  });
});

export const esbuildBundler = bundled('esbuild', async project => {
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
});

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

/** What the compiled program imports at run time instead of bundling: node's modules, the package, native code. */
const EXTERNAL = [/^node:/, /[\\/]node_modules[\\/]/, 'beautyspot', 'beautyspot/runtime', 'better-sqlite3'];

/**
 * Rollup reads JavaScript only: this plugin strips the types with esbuild and resolves `./x.js` imports to the
 * `./x.ts` file beside them. It comes after beautyspot's in `plugins` (rollup has no `enforce`): beautyspot needs
 * the types, and esbuild drops the annotation comments, so the other order would silently cache nothing.
 */
const rollupTypeScript: RollupPlugin = {
  name: 'strip-types',
  resolveId(source, importer) {
    if (!importer || !source.startsWith('.') || !source.endsWith('.js')) return null;
    const file = resolve(dirname(importer), `${source.slice(0, -3)}.ts`);
    return existsSync(file) ? file : null;
  },
  async transform(code, id) {
    if (!id.endsWith('.ts')) return null;
    const out = await esbuildTransform(code, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: id });
    return { code: out.code, map: out.map };
  },
};

/** Writes a rollup or rolldown bundle as an ES module with a source map into the project's dist/, then closes it. */
async function writeBundle(bundle: { write(o: { format: 'es'; sourcemap: true; dir: string }): Promise<unknown>; close(): Promise<void> }, project: FixtureProject): Promise<void> {
  try {
    await bundle.write({ format: 'es', sourcemap: true, dir: project.path('dist') });
  } finally {
    await bundle.close();
  }
}

export const rollup = bundled('rollup', async project => {
  const beautyspot = await plugin('rollup');
  await writeBundle(await rollupBuild({
    input: project.path('src/main.ts'),
    plugins: [beautyspot(), rollupTypeScript],
    external: EXTERNAL,
    logLevel: 'silent',
  }), project);
});

/** Rolldown strips TypeScript and resolves `./x.js` to `./x.ts` itself. */
export const rolldown = bundled('rolldown', async project => {
  const beautyspot = await plugin('rolldown');
  await writeBundle(await rolldownBuild({
    input: project.path('src/main.ts'),
    cwd: project.dir,
    platform: 'node',
    plugins: [beautyspot()],
    external: EXTERNAL,
    logLevel: 'silent',
  }), project);
});

/**
 * The options webpack and rspack share: an ES module for node with a source map whose sources are the files'
 * absolute paths (so node's stack traces name them as the other bundlers' do). beautyspot's loader is a pre
 * loader, so it sees the TypeScript before `typeScriptLoader` strips it (which therefore must not be a pre
 * loader too: unplugin puts its rule first, so a later pre rule would run first). (Webpack also needs
 * `experiments.outputModule`; rspack 2 has no such option.) `new URL(…, import.meta.url)` is
 * left to run time (by default webpack would copy the data files into the output as assets).
 */
function webpackOptions(project: FixtureProject, typeScriptLoader: { loader: string; options?: object }) {
  return {
    mode: 'none' as const,
    context: project.dir,
    target: 'node20' as const,
    devtool: 'source-map' as const,
    entry: project.path('src/main.ts'),
    output: {
      path: project.path('dist'),
      filename: 'main.js',
      module: true,
      chunkFormat: 'module' as const,
      clean: true,
      devtoolModuleFilenameTemplate: '[absolute-resource-path]',
    },
    externalsType: 'module' as const,
    externals: [/^beautyspot(\/|$)/, 'better-sqlite3'],
    resolve: { extensionAlias: { '.js': ['.ts', '.js'] } },
    module: { parser: { javascript: { url: false } }, rules: [{ test: /\.ts$/, ...typeScriptLoader }] },
  };
}

/** The part of a webpack or rspack compiler a build uses. */
interface Compiler {
  run(callback: (error: Error | null, stats?: CompileStats) => void): void;
  close(callback: (error?: Error | null) => void): void;
}
interface CompileStats {
  hasErrors(): boolean;
  toJson(options: { all: false; errors: true }): { errors?: { message: string }[] };
}

/** Runs a compiler once; a compilation with errors (beautyspot's diagnostics among them) rejects with their text. */
function compile(compiler: Compiler): Promise<void> {
  return new Promise((resolve, reject) => {
    compiler.run((error, stats) => {
      compiler.close(() => {
        if (error) return reject(error);
        if (stats?.hasErrors()) {
          const errors = stats.toJson({ all: false, errors: true }).errors ?? [];
          return reject(new Error(errors.map(e => e.message).join('\n')));
        }
        resolve();
      });
    });
  });
}

/** TypeScript is stripped by a small esbuild loader (test/e2e/strip-types-loader.mjs). */
export const webpack = bundled('webpack', async project => {
  const beautyspot = await plugin('webpack');
  const loader = fileURLToPath(new URL('./strip-types-loader.mjs', import.meta.url));
  const options = webpackOptions(project, { loader });
  await compile(webpackBuild({ ...options, experiments: { outputModule: true }, plugins: [beautyspot()] }));
});

/** TypeScript is stripped by rspack's own SWC loader. */
export const rspackBundler = bundled('rspack', async project => {
  const beautyspot = await plugin('rspack');
  const swc = { loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } } };
  await compile(rspack({ ...webpackOptions(project, swc), plugins: [beautyspot()] }));
});

export const BUNDLERS: Bundler[] = [vite, esbuildBundler, nodeLoader, rollup, rolldown, webpack, rspackBundler];
