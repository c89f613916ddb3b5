// The beautyspot vite plugin of the build under test, with its transform handler timed, and whether the process
// has loaded the TypeScript compiler (the plugin imports it only for a file its on-disk cache does not answer).
import { createRequire } from 'node:module';
import { pluginModule } from './compile.js';

/** `beautyspot()` of dist/plugin/adapters/vite.js. */
export async function loadVitePlugin() {
  return (await pluginModule('adapters/vite.js')).default;
}

/**
 * The plugin with its (async) transform handler timed: each call appends { id, ms, rewrote } to `transforms`,
 * `ms` from the call to the settled result, `rewrote` when the handler resolved to an output.
 * The filter and everything else stay as they were.
 */
export function timed(plugin, transforms) {
  const hook = plugin.transform;
  const handler = typeof hook === 'function' ? hook : hook.handler;
  const wrapped = async function (code, id, ...rest) {
    const start = performance.now();
    const result = await handler.call(this, code, id, ...rest);
    transforms.push({ id, ms: performance.now() - start, rewrote: result != null });
    return result;
  };
  return { ...plugin, transform: typeof hook === 'function' ? wrapped : { ...hook, handler: wrapped } };
}

const require = createRequire(import.meta.url);

/** Whether ts-morph (which bundles TypeScript) is loaded in this process. */
export function compilerLoaded() {
  return Object.keys(require.cache).some(path => /[\\/]ts-morph[\\/]/.test(path));
}
