import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUNDLERS } from './bundlers.js';
import { FixtureProject, type PipelineReport } from './fixture-project.js';

// End to end: fixtures/pipeline is compiled by each bundler with the beautyspot plugin (or run under the Node
// loader), and every run is a fresh node process against the same cache directory. Each describe builds the
// project once and runs it twice (cold, then warm); each scenario starts from that saved state, edits the
// copy, rebuilds and runs once more. The fixture prints which marked bodies ran (`ran`) and what it computed.

const RESULTS: PipelineReport['results'] = {
  words: { alpha: 12, beta: 12 },
  summaries: ['brief summary of lighthouses in at most 12 words', 'brief summary of orchards in at most 12 words'],
  headlines: ['Lighthouse Keepers: a report', 'Orchard Harvests: a report'],
  score: 11,
  record: { name: 'pear', quantity: 3 },
};

const EVERY_BODY = {
  'wordCount:alpha.txt': 1,
  'wordCount:beta.txt': 1,
  'summarize:lighthouses': 1,
  'summarize:orchards': 1,
  'headline:lighthouse keepers': 1,
  'headline:orchard harvests': 1,
  weightedScore: 1,
  'parseRecord:pear,3': 1,
};

describe.each(BUNDLERS.map(b => [b.name, b] as const))('%s', (_name, bundler) => {
  let project: FixtureProject;
  let cold: PipelineReport;
  let warm: PipelineReport;

  beforeAll(async () => {
    project = FixtureProject.create(bundler.name.replace(/\W+/g, '-'));
    await bundler.build(project);
    cold = project.run(bundler.args(project));
    warm = project.run(bundler.args(project));
    project.snapshot();
  }, 120_000);
  beforeEach(() => project.restore());
  afterAll(() => project?.remove());

  /** Compiles the edited copy and runs it once against the warm cache. */
  async function rebuildAndRun(env: Record<string, string> = {}): Promise<PipelineReport & { stderr: string }> {
    await bundler.build(project);
    return project.run(bundler.args(project), env);
  }

  it('a second run executes no marked body and prints the same results', () => {
    expect(cold.ran).toEqual(EVERY_BODY);
    expect(cold.results).toEqual(RESULTS);
    expect(warm.ran).toEqual({});
    expect(warm.results).toEqual(RESULTS);
  });

  it('editing a FilePath file recomputes only the call on that file', async () => {
    project.edit('data/beta.txt', 'between the rows.', 'between the rows of old trees.');
    // The file is read at run time: the same build sees the new content.
    const report = project.run(bundler.args(project));
    expect(report.ran).toEqual({ 'wordCount:beta.txt': 1 });
    expect(report.results).toEqual({ ...RESULTS, words: { alpha: 12, beta: 15 } });
  });

  it('changing an Ignore parameter (the verbose flag and its logger) still hits', () => {
    const report = project.run(bundler.args(project), { PIPELINE_VERBOSE: '1' });
    expect(report.verbose).toBe(true);
    expect(report.ran).toEqual({});
    expect(report.results).toEqual(RESULTS);
    // Nothing ran, so the verbose logger had nothing to say.
    expect(report.stderr).not.toContain('[pipeline]');
  });

  it('the verbose flag does reach the body when it runs (against an empty cache)', () => {
    const report = project.run(bundler.args(project), { PIPELINE_VERBOSE: '1', BEAUTYSPOT_DIR: project.path('.empty-cache') });
    expect(report.ran).toEqual(EVERY_BODY);
    expect(report.stderr).toContain('[pipeline] summarize("lighthouses", 12)');
    expect(report.stderr).toContain('[pipeline] summarize("orchards", 12)');
  });

  it("editing a marked function's body recomputes that function only", async () => {
    project.edit('src/api.ts', "const style = 'brief';", "const style = 'detailed';");
    const report = await rebuildAndRun();
    expect(report.ran).toEqual({ 'summarize:lighthouses': 1, 'summarize:orchards': 1 });
    expect(report.results).toEqual({
      ...RESULTS,
      summaries: ['detailed summary of lighthouses in at most 12 words', 'detailed summary of orchards in at most 12 words'],
    });
  });

  it('editing only a comment in a marked body still hits', async () => {
    project.edit('src/api.ts', '  await sleep(20);', '  // One round trip to the slow service.\n  await sleep(20); // (simulated)');
    const report = await rebuildAndRun();
    expect(report.ran).toEqual({});
    expect(report.results).toEqual(RESULTS);
  });

  it('bumping version= in the annotation recomputes that function only', async () => {
    project.edit('src/main.ts', '// beautyspot: mark version=1', '// beautyspot: mark version=2');
    const report = await rebuildAndRun();
    expect(report.ran).toEqual({ weightedScore: 1 });
    expect(report.results).toEqual(RESULTS);
  });

  it('changing a helper in another module recomputes the marked function that calls it', async () => {
    project.edit('src/format.ts', 'word.charAt(0).toUpperCase() + word.slice(1)', 'word.toUpperCase()');
    const report = await rebuildAndRun();
    expect(report.ran).toEqual({ 'headline:lighthouse keepers': 1, 'headline:orchard harvests': 1 });
    expect(report.results).toEqual({ ...RESULTS, headlines: ['LIGHTHOUSE KEEPERS: a report', 'ORCHARD HARVESTS: a report'] });
  });

  it('a function-typed parameter without Ignore fails the build with file:line:col and the diagnostic', async () => {
    project.edit('src/api.ts', 'log: Ignore<Logger>', 'log: Logger');
    const { line, col } = project.position('src/api.ts', 'log: Logger');
    const error = await bundler.compileError(project);
    expect(error).toContain(`src/api.ts:${line}:${col} summarize: parameter log (type Logger) has a function type, which cannot be keyed`);
    expect(error).toContain('Wrap the parameter in Ignore<T>');
  });

  it("a thrown error's stack points at the throw in the TypeScript source", () => {
    const thrown = project.position('src/records.ts', 'new Error(`malformed record');
    const call = project.position('src/main.ts', "parseRecord('pear');");
    // The caller's frame is on the call's line, at `parseRecord` or, where the bundler compiles an imported
    // call to `(0, module.parseRecord)('pear')` (webpack, rspack), at its argument list.
    const callColumns = [call.col, call.col + 'parseRecord'.length];
    const callFrame = `${project.path('src/main.ts')}:${call.line}:`;
    for (const { failure } of [cold, warm]) {
      const frames = failure.split('\n').filter(l => l.trimStart().startsWith('at '));
      expect(failure).toMatch(/^Error: malformed record "pear"/);
      expect(frames[0]).toContain(`${project.path('src/records.ts')}:${thrown.line}:${thrown.col})`);
      const callerColumns = frames.filter(f => f.includes(callFrame)).map(f => Number(/:(\d+)\)$/.exec(f)?.[1]));
      expect(callerColumns.filter(col => callColumns.includes(col))).toHaveLength(1);
    }
  });
});
