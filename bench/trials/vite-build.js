// Trial "vite": what the beautyspot vite plugin adds to a vite 8 build of a generated 300-module TS project.
// Variant A: 10 modules carry one `/** @mark */` function each; variant B: the same project, no annotation.
// Each build runs in a fresh node process (vite-build-run.js), in interleaved rounds with a rotating order and one
// warm-up round; the medians are reported. A with the plugin is measured twice: cold (the project's beautyspot
// cache removed before the build, so the compiler loads and analyses every annotated file) and warm (the cache
// the previous build left, as in a rebuild of unchanged code: the plugin answers from disk and never loads
// TypeScript). The projects are generated under `<repo>/.tmp/`, each a package of its own with beautyspot installed
// as npm installs it (so the plugin's cache is the project's node_modules/.cache/beautyspot, and the SSR build
// keeps beautyspot/runtime external, as it does in a user's project), and removed at the end. The compile service
// is off except in A-cold-service: a cold plugin cache, and the service (started by the warm-up round, under a TMPDIR
// of the trial's own, killed at the end) warm, so the build asks it rather than loading the compiler.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runChild, runTrial } from '../lib/child.js';
import { ownPackage, scratchDir } from '../lib/project.js';
import { privateServices } from '../lib/service.js';
import { median } from '../lib/timing.js';
import { writeProject } from '../lib/vite-project.js';

const CONFIGS = [
  { key: 'A-off', variant: 'A', plugin: false },
  { key: 'A-cold', variant: 'A', plugin: true, cache: 'cold' },
  { key: 'A-warm', variant: 'A', plugin: true, cache: 'warm' },
  { key: 'A-cold-service', variant: 'A', plugin: true, cache: 'cold', service: true },
  { key: 'B-off', variant: 'B', plugin: false },
  { key: 'B-on', variant: 'B', plugin: true },
];

runChild(async ({ dir, modules, markedCount, rounds }) => {
  const projects = scratchDir('bench-vite-');
  const services = privateServices();
  try {
    const variants = Object.fromEntries([['A', true], ['B', false]].map(([variant, annotate]) => {
      const root = join(projects, variant.toLowerCase());
      const project = writeProject(root, { modules, markedCount, annotate });
      return [variant, { ...project, root, cache: ownPackage(root, { installed: true }) }];
    }));
    const runs = Object.fromEntries(CONFIGS.map(c => [c.key, []]));
    for (let r = -1; r < rounds; r++) {
      for (let k = 0; k < CONFIGS.length; k++) {
        const config = CONFIGS[(k + Math.max(r, 0)) % CONFIGS.length];
        const project = variants[config.variant];
        if (config.cache === 'cold') rmSync(project.cache, { recursive: true, force: true });
        if (config.cache === 'warm' && !existsSync(join(project.cache, 'plugin'))) throw new Error(`vite ${config.key}: no plugin cache in ${project.cache}`);
        const start = performance.now();
        const run = await runTrial('vite-build-run.js', {
          root: project.root,
          entry: project.entry,
          outDir: join(dir, `out-${config.key}`),
          plugin: config.plugin,
          env: services.env(config.service === true),
        });
        run.processMs = performance.now() - start;
        const annotated = config.variant === 'A' && config.plugin;
        const expected = annotated ? markedCount : 0;
        if (run.markCompiledCalls !== expected || (annotated && run.rewrites !== markedCount)) {
          throw new Error(`vite ${config.key}: ${run.markCompiledCalls} markCompiled calls in the output and ${run.rewrites} rewrites, expected ${expected}`);
        }
        if (config.cache === 'cold' && !existsSync(join(project.cache, 'plugin'))) throw new Error(`vite ${config.key}: the build left no cache in ${project.cache}`);
        if (r >= 0) runs[config.key].push(run);
      }
      if (r === -1) await services.warm();
    }
    const summary = Object.fromEntries(CONFIGS.map(c => {
      const list = runs[c.key];
      const med = field => median(list.map(run => run[field]));
      return [c.key, {
        buildMs: med('buildMs'),
        min: Math.min(...list.map(run => run.buildMs)),
        max: Math.max(...list.map(run => run.buildMs)),
        processMs: med('processMs'),
        pluginImportMs: med('pluginImportMs'),
        viteImportMs: med('viteImportMs'),
        transformCalls: list[0].transformCalls,
        rewrites: list[0].rewrites,
        firstTransformMs: med('firstTransformMs'),
        otherTransformsMs: med('otherTransformsMs'),
        passedOnMs: med('passedOnMs'),
        /** How many of the builds loaded TypeScript. */
        compilerLoads: list.filter(run => run.compilerLoaded).length,
        projectsCreated: med('projectsCreated'),
        runtimeBundled: list[0].runtimeBundled,
        outputBytes: list[0].outputBytes,
        runs: list.map(run => run.buildMs),
      }];
    }));
    return { ...summary, rounds, modules, files: variants.A.files, marked: variants.A.marked };
  } finally {
    await services.stop();
    rmSync(projects, { recursive: true, force: true });
  }
});
