import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FixtureProject, REPO, type ProcessResult } from './fixture-project.js';

// End to end: fixtures/run-script, a small script project, run in fresh node processes with
// `beautyspot run` (dist/src/cli.js), with `node --import <repo>/dist/plugin/loader/register.js`, and with tsx in
// front of the loader. The script prints one JSON line (its path, arguments, results and which marked bodies
// ran) and one line on stderr, and exits with the code given by `--exit N`. Each copy lives under
// <repo>/.tmp/, so the generated `beautyspot/runtime` imports resolve to this repository by self-reference.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const REGISTER = join(REPO, 'dist', 'plugin', 'loader', 'register.js');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

/** The JSON line src/main.ts prints. */
interface ScriptReport {
  script: string;
  args: string[];
  results: { total: number; loud: string };
  ran: Record<string, number>;
}

const RESULTS: ScriptReport['results'] = { total: 16, loud: 'HELLO!' };
const EVERY_BODY = { 'priceOf:pear': 1, 'priceOf:fig': 1, 'shout:hello': 1 };
/** The modules the script loads (types.ts is imported with `import type`: erased, never loaded). */
const MODULES = ['src/args.ts', 'src/counter.ts', 'src/main.ts', 'src/util.ts'];
/** No debug output or exit summary unless a test asks for it. */
const QUIET = { DEBUG: '', BEAUTYSPOT_SUMMARY: '' };
const LOADER_DEBUG = { DEBUG: 'beautyspot:loader', BEAUTYSPOT_SUMMARY: '' };

/** `beautyspot run <copy>/src/main.ts args…` */
function beautyspotRun(project: FixtureProject, args: string[], env: Record<string, string> = QUIET): ProcessResult {
  return project.spawn([CLI, 'run', project.path('src/main.ts'), ...args], env);
}

/** The report line of a run that printed one; otherwise fails with what the process said. */
function report(result: ProcessResult): ScriptReport {
  const line = result.stdout.split('\n').find(l => l.startsWith('{'));
  if (!line) throw new Error(`the script exited with ${result.status} and no report:\n${result.stderr}\n${result.stdout}`);
  return JSON.parse(line) as ScriptReport;
}

/** What `DEBUG=beautyspot:loader` said about each module, as paths relative to the project. */
function loaderLog(project: FixtureProject, result: ProcessResult): { compiled: string[]; fromCache: string[] } {
  const files = (verb: string) => result.stderr.split('\n')
    .filter(l => l.startsWith(`beautyspot:loader ${verb} `))
    .map(l => l.slice(`beautyspot:loader ${verb} `.length).replace(`${project.dir}/`, ''))
    .sort();
  return { compiled: files('compiled'), fromCache: files('from cache') };
}

describe('beautyspot run', () => {
  const ARGS = ['--foo', '-x', '--exit', '7'];
  let project: FixtureProject;
  let cold: ProcessResult;
  let warm: ProcessResult;

  beforeAll(() => {
    project = FixtureProject.create('run', 'run-script');
    cold = beautyspotRun(project, ARGS);
    warm = beautyspotRun(project, ARGS);
  }, 120_000);
  afterAll(() => project?.remove());

  it('a second run executes no marked body and prints the same results', () => {
    expect(report(cold).ran).toEqual(EVERY_BODY);
    expect(report(cold).results).toEqual(RESULTS);
    expect(report(warm).ran).toEqual({});
    expect(report(warm).results).toEqual(RESULTS);
  });

  it('the script sees its own absolute path and every argument, option-like ones included', () => {
    for (const run of [cold, warm]) {
      expect(report(run).script).toBe(project.path('src/main.ts'));
      expect(report(run).args).toEqual(ARGS);
    }
    // Options after the script are the script's, even the ones beautyspot itself understands.
    const passed = ['--help', '-h', '--version', '--', 'last', '-'];
    expect(report(beautyspotRun(project, passed)).args).toEqual(passed);
  });

  it("the process exits with the script's exit code, and a non-zero exit still stores the results", () => {
    expect(cold.status).toBe(7);
    expect(warm.status).toBe(7);
    const zero = beautyspotRun(project, ['--exit', '0']);
    expect(zero.status).toBe(0);
    expect(report(zero).ran).toEqual({});
  });

  it("stdout and stderr are the script's own, followed on a pipe by the summary of each spot; --quiet leaves only the script's", () => {
    const stdout = `${JSON.stringify({ script: project.path('src/main.ts'), args: ARGS, results: RESULTS, ran: {} })}\n`;
    expect(warm.stdout).toBe(stdout);
    expect(warm.stderr).toMatch(/^\[run-script\] 4 arguments\n\[beautyspot\] default: 3 hits, 0 misses, 0 B written, saved \d+ ms\n$/);
    expect(cold.stderr).toMatch(/^\[run-script\] 4 arguments\n\[beautyspot\] default: 0 hits, 3 misses, \d+ B written, saved 0 ms\n$/);
    const quiet = project.spawn([CLI, 'run', '--quiet', project.path('src/main.ts'), ...ARGS], QUIET);
    expect(quiet.stdout).toBe(stdout);
    expect(quiet.stderr).toBe('[run-script] 4 arguments\n');
  });

  it('an error thrown by the script exits 1 with its stack on stderr pointing at the TypeScript lines', () => {
    // Every module now comes from the transform cache: its inline source map still points at the source.
    const failed = beautyspotRun(project, ['--fail']);
    const thrown = project.position('src/main.ts', 'new Error(`no price for');
    const call = project.position('src/main.ts', "priceOf({ item: 'plum'");
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('Error: no price for plum\n');
    const frames = failed.stderr.split('\n').filter(l => l.trimStart().startsWith('at '));
    expect(frames[0]).toContain(`at priceOf (${project.path('src/main.ts')}:${thrown.line}:${thrown.col})`);
    expect(frames.join('\n')).toContain(`${project.path('src/main.ts')}:${call.line}:${call.col})`);
  });
});

describe('the beautyspot command line', () => {
  function beautyspot(args: string[]): ProcessResult {
    const result = spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...QUIET }, timeout: 60_000 });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it('--help prints the usage and lists the run command', () => {
    const help = beautyspot(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: beautyspot [options] [command]');
    expect(help.stdout).toMatch(/run \[options\] <script> \[args\.\.\.\]\s+run a TypeScript \(or JavaScript\) script with\s+its marked functions cached/);
  });

  it('run --help prints the usage of run', () => {
    const help = beautyspot(['run', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: beautyspot run [options] <script> [args...]');
    expect(help.stdout).toMatch(/args\s+arguments passed to the script/);
    expect(help.stdout).toMatch(/-q, --quiet\s+no live status line and no summary \(also BEAUTYSPOT_PROGRESS=0\)/);
  });

  it('--version prints the version of the package', () => {
    const version = beautyspot(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it('an unknown command is a usage error (exit 2), suggesting the closest command and pointing at --help', () => {
    const unknown = beautyspot(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toBe("error: unknown command 'frobnicate'\n(add --help for usage)\n");
    const typo = beautyspot(['rnu', 'script.ts']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("error: unknown command 'rnu'\n(Did you mean run?)");
  });

  it('run without a script is a usage error naming the missing argument', () => {
    const missing = beautyspot(['run']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("error: missing required argument 'script'\n(add --help for usage)\n");
  });

  it('a script that does not exist fails with its path, not a module loader stack', () => {
    const missing = beautyspot(['run', 'no/such/script.ts', '--foo']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`error: no such script: no/such/script.ts (${join(REPO, 'no/such/script.ts')})\n(add --help for usage)\n`);
    const quiet = beautyspot(['run', '-q', 'no/such/script.ts']);
    expect(quiet.status).toBe(1);
    expect(quiet.stderr).toBe(missing.stderr);
  });

  it('a directory given as the script fails saying it is not a file', () => {
    const directory = beautyspot(['run', 'fixtures']);
    expect(directory.status).toBe(1);
    expect(directory.stderr).toContain(`error: the script is not a file: fixtures (${join(REPO, 'fixtures')})`);
  });
});

describe('the transform cache (DEBUG=beautyspot:loader)', () => {
  let project: FixtureProject;
  let cold: ProcessResult;
  let warm: ProcessResult;

  // Each scenario starts from its own warm copy: cached modules are keyed by path, so copies do not share them.
  beforeEach(() => {
    project = FixtureProject.create('run-cache', 'run-script');
    cold = beautyspotRun(project, [], LOADER_DEBUG);
    warm = beautyspotRun(project, [], LOADER_DEBUG);
  }, 120_000);
  afterEach(() => project?.remove());

  it('the first run compiles every TypeScript module it loads and the second loads each from the cache', () => {
    expect(loaderLog(project, cold)).toEqual({ compiled: MODULES, fromCache: [] });
    expect(loaderLog(project, warm)).toEqual({ compiled: [], fromCache: MODULES });
    expect(report(warm)).toMatchObject({ results: RESULTS, ran: {} });
  });

  it("changing the type of a marked function's parameter recompiles the module using it, and the new key runs the body again", () => {
    // The values passed to priceOf carry a `note` that Order did not declare; declared now, it joins the key.
    project.edit('src/types.ts', '  quantity: number;\n', '  quantity: number;\n  note: string;\n');
    const edited = beautyspotRun(project, [], LOADER_DEBUG);
    expect(loaderLog(project, edited)).toEqual({ compiled: ['src/main.ts'], fromCache: ['src/args.ts', 'src/counter.ts', 'src/util.ts'] });
    expect(report(edited)).toEqual({ ...report(warm), ran: { 'priceOf:pear': 1, 'priceOf:fig': 1 } });
    // Recompiled once: the next run takes it from the cache again, and hits under the new key.
    const again = beautyspotRun(project, [], LOADER_DEBUG);
    expect(loaderLog(project, again)).toEqual({ compiled: [], fromCache: MODULES });
    expect(report(again).ran).toEqual({});
  });

  it('adding an optional field that no value has recompiles the module but keeps its keys', () => {
    project.edit('src/types.ts', '  quantity: number;\n', '  quantity: number;\n  discount?: number;\n');
    const edited = beautyspotRun(project, [], LOADER_DEBUG);
    expect(loaderLog(project, edited).compiled).toEqual(['src/main.ts']);
    expect(report(edited)).toMatchObject({ results: RESULTS, ran: {} });
  });

  it('editing a module no marked function depends on recompiles only that module', () => {
    project.edit('src/args.ts', "fail: args.includes('--fail')", "fail: args.includes('--fail') || args.includes('--crash')");
    const edited = beautyspotRun(project, [], LOADER_DEBUG);
    expect(loaderLog(project, edited)).toEqual({ compiled: ['src/args.ts'], fromCache: ['src/counter.ts', 'src/main.ts', 'src/util.ts'] });
    expect(report(edited)).toMatchObject({ results: RESULTS, ran: {} });
  });
});

describe('node --import', () => {
  let project: FixtureProject;

  beforeEach(() => {
    project = FixtureProject.create('run-import', 'run-script');
  });
  afterEach(() => project?.remove());

  /** Runs the script twice with these node flags in front of it. */
  function twice(flags: string[], args: string[]): [ProcessResult, ProcessResult] {
    const node = () => project.spawn([...flags, project.path('src/main.ts'), ...args], LOADER_DEBUG);
    return [node(), node()];
  }

  it('node --import <repo>/dist/plugin/loader/register.js runs the script as beautyspot run does', () => {
    const [cold, warm] = twice(['--import', REGISTER], ['--foo', '-x', '--exit', '3']);
    for (const run of [cold, warm]) {
      expect(run.status).toBe(3);
      expect(report(run)).toMatchObject({ script: project.path('src/main.ts'), args: ['--foo', '-x', '--exit', '3'], results: RESULTS });
    }
    expect(report(cold).ran).toEqual(EVERY_BODY);
    expect(report(warm).ran).toEqual({});
    expect(loaderLog(project, warm)).toEqual({ compiled: [], fromCache: MODULES });
  }, 60_000);

  it('node --import tsx --import beautyspot/register (the documented order): beautyspot compiles the modules and the second run hits', () => {
    const [cold, warm] = twice(['--import', 'tsx', '--import', 'beautyspot/register'], ['--foo']);
    expect(cold.status).toBe(0);
    expect(report(cold)).toMatchObject({ args: ['--foo'], results: RESULTS, ran: EVERY_BODY });
    expect(loaderLog(project, cold)).toEqual({ compiled: MODULES, fromCache: [] });
    expect(report(warm)).toMatchObject({ args: ['--foo'], results: RESULTS, ran: {} });
    expect(loaderLog(project, warm)).toEqual({ compiled: [], fromCache: MODULES });
  }, 60_000);

  it('the other order, --import beautyspot/register --import tsx, caches as well', () => {
    const [cold, warm] = twice(['--import', 'beautyspot/register', '--import', 'tsx'], []);
    expect(report(cold)).toMatchObject({ results: RESULTS, ran: EVERY_BODY });
    expect(loaderLog(project, cold).compiled).toEqual(MODULES);
    expect(report(warm)).toMatchObject({ results: RESULTS, ran: {} });
    expect(loaderLog(project, warm)).toEqual({ compiled: [], fromCache: MODULES });
  }, 60_000);
});

describe('module resolution from TypeScript files', () => {
  let project: FixtureProject;
  beforeAll(() => {
    project = FixtureProject.create('run-resolve', 'run-script');
  });
  afterAll(() => project?.remove());

  it('maps .js to .ts, .mjs to .mts and .cjs to .cts, prefers the .ts beside a stale compiled .js, and finds index.ts', () => {
    const write = (relative: string, text: string): void => {
      mkdirSync(dirname(project.path(relative)), { recursive: true });
      writeFileSync(project.path(relative), text);
    };
    write('src/resolve/a.ts', "export const a: string = 'a.ts';\n");
    write('src/resolve/a.js', "export const a = 'stale a.js';\n");
    write('src/resolve/b.mts', "export const b: string = 'b.mts';\n");
    write('src/resolve/lib/index.ts', "export const lib: string = 'lib/index.ts';\n");
    write('src/resolve/main.ts', [
      "import { a } from './a.js';",
      "import { b } from './b.mjs';",
      "import { lib } from './lib';",
      'console.log(JSON.stringify([a, b, lib]));',
    ].join('\n'));
    const result = project.spawn(['--import', REGISTER, project.path('src/resolve/main.ts')], QUIET);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual(['a.ts', 'b.mts', 'lib/index.ts']);
  }, 60_000);
});
