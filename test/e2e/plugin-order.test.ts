import { afterEach, expect, it } from 'vitest';
import { rollupAfterTypeScript, rollupTypeScriptLoad, rspackPreTypeScript, webpackPreTypeScript } from './bundlers.js';
import { FixtureProject } from './fixture-project.js';

// A plugin or loader that strips TypeScript before beautyspot sees a file leaves nothing to cache, silently.
// Rollup: beautyspot's transform runs first wherever it stands in `plugins`, and a plugin that compiles TypeScript
// when it loads a file (@rollup/plugin-typescript) fails the build. Webpack: a TypeScript rule marked
// `enforce: 'pre'` (it would run before beautyspot's pre loader) fails the build with the fix; rspack's too.

let project: FixtureProject | undefined;
afterEach(() => project?.remove());

it('rollup with beautyspot() after the TypeScript plugin still caches every marked function', async () => {
  project = FixtureProject.create('rollup-after-ts');
  await rollupAfterTypeScript.build(project);
  const cold = project.run(rollupAfterTypeScript.args(project));
  const warm = project.run(rollupAfterTypeScript.args(project));
  expect(Object.keys(cold.ran).length).toBeGreaterThan(0);
  expect(warm.ran).toEqual({});
  expect(warm.results).toEqual(cold.results);
}, 120_000);

it('rollup with @rollup/plugin-typescript, which compiles on load, fails the build and names the fix', async () => {
  project = FixtureProject.create('rollup-ts-load');
  const message = await rollupTypeScriptLoad.compileError(project);
  expect(message).toContain('[beautyspot] @rollup/plugin-typescript compiles TypeScript when it loads a file');
  expect(message).toContain('replace typescript() with a plugin whose transform hook strips them');
}, 120_000);

it("webpack with the TypeScript rule marked enforce: 'pre' fails the build and names the fix", async () => {
  project = FixtureProject.create('webpack-pre-ts');
  const message = await webpackPreTypeScript.compileError(project);
  expect(message).toMatch(/\[beautyspot\] src[\\/]\S+\.ts: strip-types-loader\.mjs runs before beautyspot/);
  expect(message).toContain("Remove enforce: 'pre' from the rule that uses strip-types-loader.mjs.");
}, 120_000);

it("rspack with the SWC rule marked enforce: 'pre' fails the build and names the fix", async () => {
  project = FixtureProject.create('rspack-pre-ts');
  const message = await rspackPreTypeScript.compileError(project);
  expect(message).toMatch(/\[beautyspot\] src[\\/]\S+\.ts: builtin:swc-loader runs before beautyspot/);
  expect(message).toContain("Remove enforce: 'pre' from the rule that uses builtin:swc-loader.");
}, 120_000);
