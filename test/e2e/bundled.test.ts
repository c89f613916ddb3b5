import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED } from './bundlers.js';
import { FixtureProject, type PipelineReport } from './fixture-project.js';

// End to end: fixtures/pipeline built by each bundler with a config that keeps nothing external (no external
// list, esbuild without `packages: 'external'`, vite's SSR build with `noExternal: true`, rollup with a
// node-resolve plugin), so the runtime is bundled from this repository, a linked package. The plugin alone must
// keep better-sqlite3, a native addon that no bundle can hold, out of the output; the output then runs twice.

/** The text of every JavaScript file the build wrote. */
function output(project: FixtureProject): string {
  const dir = project.path('dist');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(file => file.endsWith('.js'))
    .map(file => readFileSync(`${dir}/${file}`, 'utf8'))
    .join('\n');
}

describe.each(BUNDLED.map(b => [b.name, b] as const))('%s', (_name, bundler) => {
  let project: FixtureProject;
  let code: string;
  let cold: PipelineReport;
  let warm: PipelineReport;

  beforeAll(async () => {
    project = FixtureProject.create(bundler.name.replace(/\W+/g, '-'));
    await bundler.build(project);
    code = output(project);
    cold = project.run(bundler.args(project));
    warm = project.run(bundler.args(project));
  }, 120_000);
  afterAll(() => project?.remove());

  it('bundles the runtime and msgpack, and leaves better-sqlite3 to run time', () => {
    // No import of the package is left (its name as a plain string, S3's default key prefix, may be).
    expect(code).not.toMatch(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']beautyspot(\/runtime)?["']/);
    expect(code).not.toMatch(/["']@msgpack\/msgpack["']/);
    expect(code).toContain('[beautyspot] ');
    expect(code).toMatch(/["']better-sqlite3["']/);
    // better-sqlite3's own code and what only it needs.
    expect(code).not.toContain('Could not locate the bindings file');
    expect(code).not.toContain('Expected the "nativeBinding" option to be a string or addon object');
  });

  it('runs, and a second run executes no marked body and prints the same results', () => {
    expect(Object.keys(cold.ran).length).toBeGreaterThan(0);
    expect(warm.ran).toEqual({});
    expect(warm.results).toEqual(cold.results);
  });
});
