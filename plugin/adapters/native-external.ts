import type { UnpluginOptions } from 'unplugin';

/**
 * The runtime's native dependency. No bundle can hold it: better-sqlite3 finds its compiled addon through
 * `bindings`, relative to its own files on disk. What only it needs (bindings, file-uri-to-path) is never reached
 * once it is external. The runtime's pure JavaScript (itself, msgpack) may be bundled.
 */
const NATIVE = ['better-sqlite3'];
const NATIVE_ID = /^better-sqlite3$/;

/** Rollup's and rolldown's resolveId, before every other plugin's (a node-resolve plugin would bundle it). */
const resolveExternal = {
  order: 'pre' as const,
  filter: { id: NATIVE_ID },
  handler: (source: string) => (NATIVE.includes(source) ? { id: source, external: true } : null),
};

/**
 * Each bundler's hook that keeps the native dependency external by itself, so a user's config needs nothing for
 * it, even where the runtime is bundled (a linked or workspace package, vite's `noExternal`, esbuild without
 * `packages: 'external'`, webpack following `createRequire(import.meta.url)` calls).
 */
export const keepNativeExternal: Pick<UnpluginOptions, 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack'> = {
  // Every server environment (ssr and custom ones; vite's own default for the consumer). Listed ids stay
  // external even under `noExternal: true`.
  vite: {
    configEnvironment(name, config) {
      if ((config.consumer ?? (name === 'client' ? 'client' : 'server')) === 'client') return undefined;
      return { resolve: { external: NATIVE } };
    },
  },
  rollup: { resolveId: resolveExternal },
  rolldown: { resolveId: resolveExternal },
  esbuild: {
    setup(build) {
      build.onResolve({ filter: NATIVE_ID }, args => ({ path: args.path, external: true }));
    },
  },
  // `node-commonjs`: `require` in CommonJS output, `createRequire(import.meta.url)` in ES module output.
  webpack(compiler) {
    new compiler.webpack.ExternalsPlugin('node-commonjs', NATIVE).apply(compiler);
  },
  rspack(compiler) {
    new compiler.webpack.ExternalsPlugin('node-commonjs', NATIVE).apply(compiler);
  },
};
