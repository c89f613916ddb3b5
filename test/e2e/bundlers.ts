import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rspack } from '@rspack/core';
import { build as esbuild, transform as esbuildTransform } from 'esbuild';
import { rolldown as rolldownBuild } from 'rolldown';
import { ResolverFactory } from 'rolldown/experimental';
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

/** The built plugin adapter (dist/plugin/adapters/<file>.js), as a user's build config would import it. */
async function plugin(file: string): Promise<() => any> {
  const module = await import(pathToFileURL(join(REPO, 'dist', 'plugin', 'adapters', `${file}.js`)).href);
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

/**
 * What a build does with packages. `external`: node's modules, node_modules, the package itself and
 * better-sqlite3 are imported at run time, as configs for node programs say. `bundled`: the config lists nothing
 * and every package a bundler resolves goes into the bundle, the runtime (linked: this repository) with it; only
 * the plugin itself keeps the native better-sqlite3 out.
 */
type Packages = 'external' | 'bundled';

/** A bundler that writes dist/main.js and rejects the build on a compile error. */
function bundler(name: string, build: (project: FixtureProject, packages: Packages) => Promise<void>) {
  return (packages: Packages): Bundler => ({
    name: packages === 'external' ? name : `${name} (bundled)`,
    build: project => build(project, packages),
    args: runBundle,
    compileError(project) {
      return buildError(this, project);
    },
  });
}

/** An SSR build; the linked runtime is bundled either way, and `bundled` bundles node_modules too. */
const vite = bundler('vite', async (project, packages) => {
  const beautyspot = await plugin('vite');
  await viteBuild({
    root: project.dir,
    configFile: false,
    logLevel: 'silent',
    plugins: [beautyspot()],
    ...(packages === 'bundled' ? { ssr: { noExternal: true } } : {}),
    build: { ssr: project.path('src/main.ts'), outDir: project.path('dist'), emptyOutDir: true, sourcemap: true },
  });
});

const esbuildBundler = bundler('esbuild', async (project, packages) => {
  const beautyspot = await plugin('esbuild');
  await esbuild({
    entryPoints: [project.path('src/main.ts')],
    outfile: project.path('dist/main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    ...(packages === 'external' ? { packages: 'external' as const } : {}),
    sourcemap: true,
    logLevel: 'silent',
    plugins: [beautyspot()],
  });
});

export const nodeLoader: Bundler = {
  name: 'node loader',
  async build() {},
  args: project => ['--import', join(REPO, 'dist', 'plugin', 'loader', 'register.js'), project.path('src/main.ts')],
  async compileError(project) {
    const run = project.spawn(this.args(project));
    if (run.status === 0) throw new Error(`the program ran under the loader:\n${run.stdout}`);
    return run.stderr;
  },
};

/** What the compiled program imports at run time instead of bundling: node's modules, the package, native code. */
const EXTERNAL = [/^node:/, /[\\/]node_modules[\\/]/, 'beautyspot', 'beautyspot/runtime', 'better-sqlite3'];

/**
 * Rollup resolves no package itself: this stands in for @rollup/plugin-node-resolve (not a dependency here), with
 * rolldown's resolver and that plugin's conditions and main fields for node (ES modules first), so `bundled` rollup
 * builds bundle packages.
 */
function nodeResolve(): RollupPlugin {
  const resolver = new ResolverFactory({ conditionNames: ['node', 'import'], mainFields: ['module', 'main'] });
  return {
    name: 'node-resolve',
    resolveId(source, importer) {
      if (!importer || source.startsWith('.') || isAbsolute(source) || isBuiltin(source)) return null;
      return resolver.sync(dirname(importer), source).path ?? null;
    },
  };
}

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
  transform: stripTypes,
};

async function stripTypes(code: string, id: string): Promise<{ code: string; map: string } | null> {
  if (!id.endsWith('.ts')) return null;
  const out = await esbuildTransform(code, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: id });
  return { code: out.code, map: out.map };
}

/** Writes a rollup or rolldown bundle as an ES module with a source map into the project's dist/, then closes it. */
async function writeBundle(bundle: { write(o: { format: 'es'; sourcemap: true; dir: string }): Promise<unknown>; close(): Promise<void> }, project: FixtureProject): Promise<void> {
  try {
    await bundle.write({ format: 'es', sourcemap: true, dir: project.path('dist') });
  } finally {
    await bundle.close();
  }
}

const rollup = bundler('rollup', async (project, packages) => {
  const beautyspot = await plugin('rollup');
  await writeBundle(await rollupBuild({
    input: project.path('src/main.ts'),
    ...(packages === 'external'
      ? { plugins: [beautyspot(), rollupTypeScript], external: EXTERNAL }
      : { plugins: [beautyspot(), nodeResolve(), rollupTypeScript], external: [/^node:/] }),
    logLevel: 'silent',
  }), project);
});

/** The README's rollup config with the plugins the other way round: beautyspot's transform still runs first. */
export const rollupAfterTypeScript = bundler('rollup, beautyspot after the TypeScript plugin', async project => {
  const beautyspot = await plugin('rollup');
  await writeBundle(await rollupBuild({
    input: project.path('src/main.ts'),
    plugins: [rollupTypeScript, beautyspot()],
    external: EXTERNAL,
    logLevel: 'silent',
  }), project);
})('external');

/**
 * A stand-in for @rollup/plugin-typescript (which needs the JavaScript API TypeScript 7 lacks): a plugin of its
 * name that compiles each file when it loads it, before any transform, so beautyspot fails the build.
 */
export const rollupTypeScriptLoad = bundler('rollup, TypeScript compiled on load', async project => {
  const beautyspot = await plugin('rollup');
  const typescript: RollupPlugin = {
    name: 'typescript',
    resolveId: rollupTypeScript.resolveId,
    load: id => stripTypes(readFileSync(id, 'utf8'), id),
  };
  await writeBundle(await rollupBuild({
    input: project.path('src/main.ts'),
    plugins: [beautyspot(), typescript],
    external: EXTERNAL,
    logLevel: 'silent',
  }), project);
})('external');

/** Rolldown strips TypeScript and resolves `./x.js` to `./x.ts` itself. */
const rolldown = bundler('rolldown', async (project, packages) => {
  const beautyspot = await plugin('rolldown');
  await writeBundle(await rolldownBuild({
    input: project.path('src/main.ts'),
    cwd: project.dir,
    platform: 'node',
    plugins: [beautyspot()],
    ...(packages === 'external' ? { external: EXTERNAL } : {}),
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
function webpackOptions(project: FixtureProject, packages: Packages, typeScriptLoader: { loader: string; options?: object; enforce?: 'pre' }) {
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
    ...(packages === 'external' ? { externalsType: 'module' as const, externals: [/^beautyspot(\/|$)/, 'better-sqlite3'] } : {}),
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
const webpack = bundler('webpack', async (project, packages) => {
  const beautyspot = await plugin('webpack');
  const loader = fileURLToPath(new URL('./strip-types-loader.mjs', import.meta.url));
  const options = webpackOptions(project, packages, { loader });
  await compile(webpackBuild({ ...options, experiments: { outputModule: true }, plugins: [beautyspot()] }));
});

/** The TypeScript rule marked `enforce: 'pre'`: it would run before beautyspot's loader, so the build fails. */
export const webpackPreTypeScript = bundler("webpack, the TypeScript rule enforce: 'pre'", async project => {
  const beautyspot = await plugin('webpack');
  const loader = fileURLToPath(new URL('./strip-types-loader.mjs', import.meta.url));
  const options = webpackOptions(project, 'external', { loader, enforce: 'pre' });
  await compile(webpackBuild({ ...options, experiments: { outputModule: true }, plugins: [beautyspot()] }));
})('external');

/** TypeScript is stripped by rspack's own SWC loader. */
const SWC = { loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } } };

const rspackBundler = bundler('rspack', async (project, packages) => {
  const beautyspot = await plugin('rspack');
  await compile(rspack({ ...webpackOptions(project, packages, SWC), plugins: [beautyspot()] }));
});

/** The SWC rule marked `enforce: 'pre'`: as with webpack, the build fails. */
export const rspackPreTypeScript = bundler("rspack, the TypeScript rule enforce: 'pre'", async project => {
  const beautyspot = await plugin('rspack');
  await compile(rspack({ ...webpackOptions(project, 'external', { ...SWC, enforce: 'pre' }), plugins: [beautyspot()] }));
})('external');

const BUILDS = [vite, esbuildBundler, rollup, rolldown, webpack, rspackBundler];

/** Every way to compile and run the fixture, with the configs users write for node programs. */
export const BUNDLERS: Bundler[] = [...BUILDS.map(b => b('external')), nodeLoader];

/** Each bundler with nothing external in its config: the runtime is bundled, and the plugin keeps better-sqlite3 out. */
export const BUNDLED: Bundler[] = BUILDS.map(b => b('bundled'));
