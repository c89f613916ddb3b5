import * as module from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO, type ProcessResult } from './fixture-project.js';

// End to end: where the loader's hooks run. Where node has module.registerHooks (≥ 22.15, ≥ 23.5) they run in the
// process's own thread, else in node's hooks worker (module.register); BEAUTYSPOT_LOADER=worker asks for the worker.
// fixtures/run-script is run both ways (one copy each), cold then warm, plus a build error and a CommonJS .cts
// module: the output is the same. In this thread the hooks also see require(), so a TypeScript module can be required.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const REGISTER = join(REPO, 'dist', 'plugin', 'loader', 'register.js');
const LOADER_DEBUG = { DEBUG: 'beautyspot:loader', BEAUTYSPOT_SUMMARY: '' };
const IN_THREAD = typeof (module as { registerHooks?: unknown }).registerHooks === 'function';
const THREAD_LINE = 'beautyspot:loader hooks in this thread (module.registerHooks)';
const WORKER_LINE = "beautyspot:loader hooks in node's hooks worker (module.register)";

const MODES = { default: {}, worker: { BEAUTYSPOT_LOADER: 'worker' } };
type Mode = keyof typeof MODES;

/** One process's output with the project's path made relative, so two copies compare equal. */
function output(project: FixtureProject, result: ProcessResult): ProcessResult {
  const relative = (text: string) => text.replaceAll(`${project.dir}/`, '');
  return { status: result.status, stdout: relative(result.stdout), stderr: relative(result.stderr) };
}

/** The lines saying where the hooks run. */
const hookLines = (result: ProcessResult): string[] => result.stderr.split('\n').filter(l => l.startsWith('beautyspot:loader hooks '));

describe('the loader in this thread or in the hooks worker', () => {
  const projects = {} as Record<Mode, FixtureProject>;
  const runs = {} as Record<Mode, Record<'cold' | 'warm' | 'imported' | 'broken' | 'commonjs' | 'required', ProcessResult>>;

  beforeAll(() => {
    for (const mode of Object.keys(MODES) as Mode[]) {
      const project = (projects[mode] = FixtureProject.create(`loader-${mode}`, 'run-script'));
      writeFileSync(project.path('src/broken.ts'), "/** @mark */\nexport function later(callback: () => void): number {\n  return 1;\n}\nconsole.log('ran');\n");
      writeFileSync(project.path('src/counted.cts'), 'export const count: number = 2;\n');
      writeFileSync(project.path('src/commonjs.ts'), [
        "import counted from './counted.cjs';",
        'console.log(JSON.stringify(counted.count));',
      ].join('\n'));
      writeFileSync(project.path('src/required.ts'), [
        "import { createRequire } from 'node:module';",
        "console.log(JSON.stringify(createRequire(import.meta.url)('./util.ts').shout('required')));",
      ].join('\n'));
      const env = { ...LOADER_DEBUG, ...MODES[mode] };
      const run = (args: string[]) => output(project, project.spawn(args, env));
      runs[mode] = {
        cold: run([CLI, 'run', project.path('src/main.ts'), '--exit', '3']),
        warm: run([CLI, 'run', project.path('src/main.ts'), '--exit', '3']),
        imported: run(['--import', REGISTER, project.path('src/main.ts')]),
        broken: run([CLI, 'run', project.path('src/broken.ts')]),
        commonjs: run([CLI, 'run', project.path('src/commonjs.ts')]),
        required: run([CLI, 'run', project.path('src/required.ts')]),
      };
    }
  }, 180_000);
  afterAll(() => {
    for (const project of Object.values(projects)) project.remove();
  });

  it('the hooks run in this thread where node has module.registerHooks, else in its hooks worker; BEAUTYSPOT_LOADER=worker asks for the worker', () => {
    for (const run of Object.values(runs.default)) expect(hookLines(run)).toEqual([IN_THREAD ? THREAD_LINE : WORKER_LINE]);
    for (const run of Object.values(runs.worker)) expect(hookLines(run)).toEqual([WORKER_LINE]);
  });

  it('both ways compile each module on the first run, take it from the cache on the next, and print the same', () => {
    const { cold, warm, imported } = runs.default;
    expect(cold.status).toBe(3);
    expect(cold.stderr).toContain('beautyspot:loader compiled src/main.ts\n');
    expect(warm.stderr).toContain('beautyspot:loader from cache src/main.ts\n');
    expect(warm.stdout).toContain('"ran":{}');
    expect(imported.status).toBe(0);
    for (const name of ['cold', 'warm', 'imported'] as const) {
      const [inThread, inWorker] = [runs.default[name], runs.worker[name]];
      expect({ ...inThread, stderr: withoutHookLines(inThread) }).toEqual({ ...inWorker, stderr: withoutHookLines(inWorker) });
    }
  });

  it('a build error is printed once, as the same diagnostics, and exits 1 both ways', () => {
    const { broken } = runs.default;
    expect(broken.status).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('[beautyspot] src/broken.ts:2:');
    expect(withoutHookLines(broken)).toBe(withoutHookLines(runs.worker.broken));
  });

  it('a CommonJS .cts module runs the same both ways', () => {
    expect(runs.default.commonjs.status).toBe(0);
    expect(runs.default.commonjs.stdout).toBe('2\n');
    expect(runs.worker.commonjs.stdout).toBe(runs.default.commonjs.stdout);
  });

  it('in this thread, require() of a TypeScript module goes through the loader as an import does (the hooks worker never sees it)', () => {
    const { required } = runs.default;
    if (IN_THREAD) {
      expect(required.stdout).toBe('"REQUIRED!"\n');
      expect(required.stderr).toMatch(/^beautyspot:loader (compiled|from cache) src\/util\.ts$/m);
    } else {
      expect(required.status).not.toBe(0);
    }
  });
});

function withoutHookLines(result: ProcessResult): string {
  return result.stderr.split('\n').filter(l => !l.startsWith('beautyspot:loader hooks ')).join('\n');
}
