import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO, type ProcessResult } from './fixture-project.js';

// End to end: fixtures/run-javascript, a JavaScript job, run in fresh node processes with `beautyspot run`
// (dist/src/cli.js) and under `node --import <repo>/dist/plugin/loader/register.js`. The job prints one JSON line:
// its results and which marked bodies ran. Other scenarios write a file into the copy and run that.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const REGISTER = join(REPO, 'dist', 'plugin', 'loader', 'register.js');
const QUIET = { DEBUG: '', BEAUTYSPOT_SUMMARY: '' };

interface JobReport {
  results: { titles: string[]; words: number; tally: number };
  ran: Record<string, number>;
}

const RESULTS: JobReport['results'] = { titles: ['A (en)', 'A (en)'], words: 3, tally: 2 };

function report(result: ProcessResult): JobReport {
  const line = result.stdout.split('\n').find(l => l.startsWith('{'));
  if (result.status !== 0 || !line) throw new Error(`the job exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(line) as JobReport;
}

/** The `at …` lines of a stack trace in a process's output. */
const stackFrames = (output: string): string[] => output.split('\n').filter(l => /^\s+at /.test(l));

describe('a JavaScript job', () => {
  let project: FixtureProject;
  let cold: ProcessResult;
  let warm: ProcessResult;

  beforeAll(() => {
    project = FixtureProject.create('javascript', 'run-javascript');
    cold = project.spawn([CLI, 'run', '--quiet', project.path('src/job.mjs')], QUIET);
    warm = project.spawn([CLI, 'run', '--quiet', project.path('src/job.mjs')], QUIET);
  }, 120_000);
  afterAll(() => project?.remove());

  it('run twice with `beautyspot run`, its second run executes no marked body and prints the same results', () => {
    expect(report(cold)).toEqual({ results: RESULTS, ran: { 'fetchTitle:a': 1, countWords: 1, tally: 1 } });
    expect(report(warm)).toEqual({ results: RESULTS, ran: {} });
    expect(cold.stderr).toBe('');
  });

  it('keys a parameter by its JSDoc type: a property the type does not declare is not part of the key', () => {
    // fetchTitle is called twice with options that differ only in `note`, outside `{ lang: string }`.
    expect(report(cold).ran['fetchTitle:a']).toBe(1);
  });

  it('runs the same way under `node --import beautyspot/register`, against the same cache', () => {
    expect(report(project.spawn(['--import', REGISTER, project.path('src/job.mjs')], QUIET))).toEqual({ results: RESULTS, ran: {} });
  });

  it('prints a near miss as a warning with file:line:col and still runs', () => {
    writeFileSync(project.path('src/near.mjs'), '/** @Mark */\nexport function twice(x) {\n  return x * 2;\n}\nconsole.log(JSON.stringify({ twice: twice(2) }));\n');
    const run = project.spawn(['--import', REGISTER, project.path('src/near.mjs')], QUIET);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('{"twice":4}\n');
    expect(run.stderr).toBe('[beautyspot] src/near.mjs:1:5 twice: "@Mark" is not an annotation (did you mean /** @mark */?). ' +
      'An annotation is the JSDoc tag @mark at the start of a line of a /** */ comment, or a line comment // beautyspot: mark, directly above the function\n');
  });

  it('a marked function in a CommonJS module is a clear error with file:line:col and the fix, not a crash of node', () => {
    writeFileSync(project.path('src/legacy.cjs'), 'const x = 1;\n/** @mark */\nfunction weigh(n) {\n  return n * x;\n}\nmodule.exports = { weigh };\n');
    const run = project.spawn([CLI, 'run', project.path('src/legacy.cjs')], QUIET);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('[beautyspot] src/legacy.cjs:2:5 marked functions in a CommonJS module cannot run under the Node loader ' +
      '(the runtime they call is an ES module). Make it an ES module (.mjs or .mts, or "type": "module" in its package.json), or build it with a bundler plugin\n');
  });
});

describe('build errors through the Node loader', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = FixtureProject.create('loader-errors', 'run-javascript');
  });
  afterAll(() => project?.remove());

  const source = [
    '/** @mark */', // 1
    'export function late(cb: () => void): number {', // 2
    '  return 1;', // 3
    '}', // 4
    '/** @mark tll=7d */', // 5
    'export function early(x: number): number {', // 6
    '  return x;', // 7
    '}', // 8
  ].join('\n');

  it.each([
    ['beautyspot run', (file: string) => [CLI, 'run', file]],
    ['node --import', (file: string) => ['--import', REGISTER, file]],
  ])('with %s: every error once, in line order, without a stack, and exit code 1', (_, args) => {
    writeFileSync(project.path('src/broken.ts'), source);
    const run = project.spawn(args(project.path('src/broken.ts')), QUIET);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe([
      '[beautyspot] src/broken.ts:2:22 late: parameter cb (type () => void) has a function type, which cannot be keyed. ' +
        'Wrap the parameter in Ignore<T>, key the function with key=…, or give the class a [keyHook]() method',
      '[beautyspot] src/broken.ts:5:11 Unknown mark option "tll" (did you mean "ttl"?). Options are name=value words after the tag, e.g. @mark version=2 ttl=7d',
      '',
    ].join('\n'));
    expect(stackFrames(run.stderr)).toEqual([]);
  });
});

describe('cachedRun through the Node loader', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = FixtureProject.create('loader-cached-run', 'run-javascript');
  });
  afterAll(() => project?.remove());

  it('a module with only cachedRun calls is compiled: a FilePath parameter is keyed by content, across processes', () => {
    const data = project.path('data.txt');
    writeFileSync(project.path('src/sizes.mts'), [
      "import { readFileSync } from 'node:fs';",
      "import { cachedRun, type FilePath } from 'beautyspot';",
      'let runs = 0;',
      'function size(path: FilePath): number {',
      '  runs++;',
      '  return readFileSync(path).length;',
      '}',
      'const cachedSize = cachedRun(size);',
      `const sizes = [cachedSize(${JSON.stringify(data)}), cachedSize(${JSON.stringify(data)})];`,
      'console.log(JSON.stringify({ sizes, runs }));',
      '',
    ].join('\n'));
    const run = (): unknown => {
      const result = project.spawn(['--import', REGISTER, project.path('src/sizes.mts')], QUIET);
      if (result.status !== 0) throw new Error(result.stderr);
      return JSON.parse(result.stdout);
    };
    writeFileSync(data, 'abc');
    expect(run()).toEqual({ sizes: [3, 3], runs: 1 });
    expect(run()).toEqual({ sizes: [3, 3], runs: 0 });
    writeFileSync(data, 'abcdef');
    expect(run()).toEqual({ sizes: [6, 6], runs: 1 });
  });
});
