// Trial "vite": what the beautyspot vite plugin adds to a vite 8 build of a generated 300-module TS project.
// Variant A: 10 modules carry one `/** @mark */` function each; variant B: the same project, no annotation.
// Each (variant, plugin on/off) build runs in a fresh node process (vite-build-run.js), in interleaved rounds
// with a rotating order and one warm-up round; the medians are reported. The projects are generated under
// `<repo>/.tmp/` (so `beautyspot` resolves by package self-reference) and removed at the end.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChild, runTrial } from '../lib/child.js';
import { median } from '../lib/timing.js';
import { writeProject } from '../lib/vite-project.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const CONFIGS = [
  { key: 'A-off', variant: 'A', plugin: false },
  { key: 'A-on', variant: 'A', plugin: true },
  { key: 'B-off', variant: 'B', plugin: false },
  { key: 'B-on', variant: 'B', plugin: true },
];

runChild(async ({ dir, modules, markedCount, rounds }) => {
  mkdirSync(join(REPO, '.tmp'), { recursive: true });
  const projects = mkdtempSync(join(REPO, '.tmp', 'bench-vite-'));
  try {
    const variants = {
      A: writeProject(join(projects, 'a'), { modules, markedCount, annotate: true }),
      B: writeProject(join(projects, 'b'), { modules, markedCount, annotate: false }),
    };
    const runs = Object.fromEntries(CONFIGS.map(c => [c.key, []]));
    for (let r = -1; r < rounds; r++) {
      for (let k = 0; k < CONFIGS.length; k++) {
        const config = CONFIGS[(k + Math.max(r, 0)) % CONFIGS.length];
        const project = variants[config.variant];
        const start = performance.now();
        const run = await runTrial('vite-build-run.js', {
          root: join(projects, config.variant.toLowerCase()),
          entry: project.entry,
          outDir: join(dir, `out-${config.key}`),
          plugin: config.plugin,
        });
        run.processMs = performance.now() - start;
        const expected = config.key === 'A-on' ? markedCount : 0;
        if (run.markCompiledCalls !== expected || (config.key === 'A-on' && run.rewrites !== markedCount)) {
          throw new Error(`vite ${config.key}: ${run.markCompiledCalls} markCompiled calls in the output and ${run.rewrites} rewrites, expected ${expected}`);
        }
        if (r >= 0) runs[config.key].push(run);
      }
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
        outputBytes: list[0].outputBytes,
        runs: list.map(run => run.buildMs),
      }];
    }));
    return { ...summary, rounds, modules, files: variants.A.files, marked: variants.A.marked };
  } finally {
    rmSync(projects, { recursive: true, force: true });
  }
});
