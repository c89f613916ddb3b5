// One measured build of the vite-build trial, in a fresh process: import vite, then (timed) import the beautyspot
// vite plugin if asked and run vite's SSR build of the generated project. Replies with the timings, what the
// plugin's transform hook did (calls, the first one — it creates the ts-morph project — and the rest), and how
// many markCompiled calls the output holds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';

runChild(async ({ root, entry, outDir, plugin }) => {
  const t0 = performance.now();
  const { build } = await import('vite');
  const t1 = performance.now();
  const plugins = [];
  const transforms = [];
  if (plugin) {
    const { default: beautyspot } = await import(new URL('../../dist/plugin/vite.js', import.meta.url).href);
    plugins.push(timed(beautyspot(), transforms));
  }
  const t2 = performance.now();
  await build({
    root,
    configFile: false,
    envFile: false,
    logLevel: 'silent',
    plugins,
    build: { ssr: entry, write: true, outDir, emptyOutDir: true },
  });
  const t3 = performance.now();
  const output = readdirSync(outDir, { recursive: true }).filter(f => f.endsWith('.js'))
    .map(f => readFileSync(join(outDir, f), 'utf8')).join('\n');
  const rewritten = transforms.filter(t => t.rewrote);
  return {
    startMs: t0,
    viteImportMs: t1 - t0,
    pluginImportMs: t2 - t1,
    /** What the plugin adds to a build: loading it + the build itself. */
    buildMs: t3 - t1,
    viteBuildMs: t3 - t2,
    transformCalls: transforms.length,
    rewrites: rewritten.length,
    firstTransformMs: rewritten[0]?.ms ?? 0,
    otherTransformsMs: rewritten.slice(1).reduce((s, t) => s + t.ms, 0),
    markCompiledCalls: output.match(/^[\w$]+ = (?:[\w$]+\.)?markCompiled\(/gm)?.length ?? 0,
    outputBytes: output.length,
    passedOnMs: transforms.filter(t => !t.rewrote).reduce((s, t) => s + t.ms, 0),
  };
});

/** The plugin with its transform handler timed (the filter and everything else as they were). */
function timed(plugin, transforms) {
  const hook = plugin.transform;
  const handler = typeof hook === 'function' ? hook : hook.handler;
  const wrapped = function (code, id, ...rest) {
    const start = performance.now();
    const result = handler.call(this, code, id, ...rest);
    transforms.push({ id, ms: performance.now() - start, rewrote: result != null });
    return result;
  };
  return { ...plugin, transform: typeof hook === 'function' ? wrapped : { ...hook, handler: wrapped } };
}
