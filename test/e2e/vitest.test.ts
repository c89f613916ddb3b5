import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO } from './fixture-project.js';

/** The fixture's own vitest run, with `beautyspot()` in its vitest.config.ts. */
describe('vitest', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = FixtureProject.create('vitest');
  });
  afterAll(() => project.remove());

  function runVitest(): Record<string, number> {
    const result = project.spawn([`${REPO}/node_modules/vitest/vitest.mjs`, 'run', '--config', project.path('vitest.config.ts')]);
    if (result.status !== 0) throw new Error(`vitest failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
    return JSON.parse(readFileSync(project.path('ran.json'), 'utf8')) as Record<string, number>;
  }

  it('caches marked functions in tests: the second test run does not run the body', () => {
    expect(runVitest()).toEqual({ 'summarize:tides': 1 });
    expect(runVitest()).toEqual({});
  });
});
