// One measured build of the vite-build trial, in a fresh process: import vite, then (timed) import the beautyspot
// vite plugin if asked and run vite's SSR build of the generated project. Replies with the timings, what the
// plugin's transform hook did (calls, the first rewrite — on a cold cache it loads the compiler and creates the
// ts-morph project — and the rest), whether the process loaded the compiler, and how many markCompiled calls the
// output holds.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { pluginModule } from '../lib/compile.js';
import { compilerLoaded, loadVitePlugin, timed } from '../lib/vite-plugin.js';

runChild(async ({ root, entry, outDir, plugin, env }) => {
  // Whether the plugin may ask the compile service, and where its socket is.
  Object.assign(process.env, env);
  const t0 = performance.now();
  const { build } = await import('vite');
  const t1 = performance.now();
  const plugins = [];
  const transforms = [];
  if (plugin) plugins.push(timed((await loadVitePlugin())(), transforms));
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
  // The plugin imports the compiler lazily: count the ts-morph projects only if it did (importing it here would load it).
  const projectsCreated = compilerLoaded() ? (await pluginModule('compiler/context.js')).BeautyspotContext.projectsCreated : 0;
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
    compilerLoaded: compilerLoaded(),
    projectsCreated,
    markCompiledCalls: output.match(/^[\w$]+ = (?:[\w$]+\.)?markCompiled\(/gm)?.length ?? 0,
    runtimeBundled: /\bfunction markCompiled\(/.test(output),
    outputBytes: output.length,
    passedOnMs: transforms.filter(t => !t.rewrote).reduce((s, t) => s + t.ms, 0),
  };
});
