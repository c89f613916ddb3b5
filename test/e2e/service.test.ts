import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alive, ServiceSandbox } from '../helpers/compile-service.js';
import { BUNDLERS } from './bundlers.js';
import { FixtureProject, REPO, type ProcessResult } from './fixture-project.js';

// The compile service with its real clients: `beautyspot run` (the Node loader) on a copy of fixtures/run-script,
// in fresh processes, and the vite plugin building a copy of fixtures/pipeline. Each test has a sandbox (a TMPDIR of its own, where services put their sockets) whose
// services are killed at the end.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const DEBUG = { DEBUG: 'beautyspot:loader,beautyspot:service', BEAUTYSPOT_SUMMARY: '' };
const EVERY_BODY = { 'priceOf:pear': 1, 'priceOf:fig': 1, 'shout:hello': 1 };
const MAIN_COMPILED = 'beautyspot:loader compiled';

interface Run {
  ran: Record<string, number>;
  /** How each module that was compiled got compiled, by path relative to the project. */
  compiled: Record<string, 'service' | 'in-process'>;
  startedService: boolean;
  stderr: string;
}

describe('the compile service', () => {
  let project: FixtureProject;
  let sandbox: ServiceSandbox;

  beforeEach(() => {
    project = FixtureProject.create('service', 'run-script');
    sandbox = new ServiceSandbox();
  });
  afterEach(async () => {
    await sandbox?.stop();
    project?.remove();
  });

  function run(extra: Record<string, string> = {}): Run {
    const result: ProcessResult = project.spawn([CLI, 'run', project.path('src/main.ts')], { ...sandbox.env(), ...DEBUG, ...extra });
    const line = result.stdout.split('\n').find(l => l.startsWith('{'));
    if (result.status !== 0 || !line) throw new Error(`the script exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
    const compiled: Run['compiled'] = {};
    for (const l of result.stderr.split('\n').filter(l => l.startsWith(`${MAIN_COMPILED} `))) {
      const byService = l.endsWith(' by the compile service');
      const file = l.slice(MAIN_COMPILED.length + 1).replace(' by the compile service', '').replace(`${project.dir}/`, '');
      compiled[file] = byService ? 'service' : 'in-process';
    }
    return {
      ran: (JSON.parse(line) as { ran: Record<string, number> }).ran,
      compiled,
      startedService: result.stderr.includes('beautyspot:service starting the compile service'),
      stderr: result.stderr,
    };
  }

  const addNote = (): void => project.edit('src/types.ts', '  quantity: number;\n', '  quantity: number;\n  note: string;\n');
  const addDiscount = (): void => project.edit('src/types.ts', '  quantity: number;\n', '  quantity: number;\n  discount?: number;\n');

  it('the first run compiles in-process and starts it; after an edit of a type file the next run gets the new plan from it', async () => {
    const first = run();
    expect(first.startedService).toBe(true);
    // main.ts, loaded first, found no service; the modules it imports may already be compiled by the new one.
    expect(first.compiled['src/main.ts']).toBe('in-process');
    expect(Object.keys(first.compiled).sort()).toEqual(['src/args.ts', 'src/counter.ts', 'src/main.ts', 'src/util.ts']);
    expect(first.ran).toEqual(EVERY_BODY);
    await sandbox.service();

    // Order gains a field the values carry: priceOf's key changes, so its bodies run again (never a stale plan).
    addNote();
    const edited = run();
    expect(edited.compiled).toEqual({ 'src/main.ts': 'service' });
    expect(edited.startedService).toBe(false);
    expect(edited.ran).toEqual({ 'priceOf:pear': 1, 'priceOf:fig': 1 });
    expect(run().ran).toEqual({});
  }, 180_000);

  it('killed, the next run still works, in-process, and starts another; one that never answers is given up after its timeout', async () => {
    run();
    const { socket, status } = await sandbox.service();
    process.kill(status.pid, 'SIGKILL');
    await sandbox.waitFor('the service to die', () => (alive(status.pid) ? undefined : true));

    addNote();
    const afterKill = run();
    expect(afterKill.compiled).toEqual({ 'src/main.ts': 'in-process' });
    expect(afterKill.ran).toEqual({ 'priceOf:pear': 1, 'priceOf:fig': 1 });
    expect(afterKill.startedService).toBe(true);
    const next = await sandbox.service();
    expect(next.socket).toBe(socket);
    expect(next.status.pid).not.toBe(status.pid);
    process.kill(next.status.pid, 'SIGKILL');
    await sandbox.waitFor('the second service to die', () => (alive(next.status.pid) ? undefined : true));

    // A service that takes requests and never answers.
    rmSync(socket, { force: true });
    const hung = createServer(() => undefined).listen(socket);
    await once(hung, 'listening');
    try {
      addDiscount();
      const timedOut = run({ BEAUTYSPOT_COMPILE_SERVICE_TIMEOUT_MS: '1000' });
      expect(timedOut.compiled).toEqual({ 'src/main.ts': 'in-process' });
      expect(timedOut.stderr).toContain('gave no answer: compiling in-process from now on');
      expect(timedOut.ran).toEqual({});
    } finally {
      hung.close();
    }
  }, 180_000);

  it('exits when idle for BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS, and removes its socket', async () => {
    // Long enough for the run to end and the test to see the service (a loaded machine is slow).
    run({ BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS: '10000' });
    const { socket, status } = await sandbox.service();
    await sandbox.waitFor('the idle service to exit', () => (alive(status.pid) ? undefined : true));
    expect(sandbox.sockets()).not.toContain(socket);
  }, 180_000);

  it('BEAUTYSPOT_COMPILE_SERVICE=0 never starts one', () => {
    const off = run({ BEAUTYSPOT_COMPILE_SERVICE: '0' });
    expect(off.compiled['src/main.ts']).toBe('in-process');
    expect(off.startedService).toBe(false);
    expect(sandbox.sockets()).toEqual([]);
  }, 180_000);

  it('two started at once on one socket, fresh or left by a killed service, leave one that answers', async () => {
    const socket = join(sandbox.socketDir, 'race.sock');
    for (const round of ['fresh', 'stale']) {
      const starters = [sandbox.start(socket), sandbox.start(socket)];
      const [exited] = await Promise.race(starters.map(async (child, index) => [index, await once(child, 'exit')] as const));
      const survivor = starters[1 - exited]!;
      expect({ round, code: starters[exited]!.exitCode }).toEqual({ round, code: 0 });
      const status = await sandbox.waitFor('the survivor to answer', () => sandbox.status(socket));
      expect({ round, pid: status.pid }).toEqual({ round, pid: survivor.pid });
      expect(survivor.exitCode).toBe(null);
      // The next round starts on the socket file this one leaves behind.
      survivor.kill('SIGKILL');
      await once(survivor, 'exit');
    }
  }, 180_000);
});

describe('the compile service and the bundler plugin', () => {
  let project: FixtureProject;
  let sandbox: ServiceSandbox;
  const saved = { ...process.env };

  beforeEach(() => {
    project = FixtureProject.create('service-vite');
    // A package of its own (beautyspot linked), so the plugin's cache is the copy's node_modules/.cache.
    writeFileSync(project.path('package.json'), '{ "name": "service-vite", "private": true, "type": "module" }\n');
    mkdirSync(project.path('node_modules'));
    symlinkSync(REPO, project.path('node_modules/beautyspot'), 'dir');
    sandbox = new ServiceSandbox();
    // The plugin runs in this process: the service's environment is this process's for the test.
    Object.assign(process.env, sandbox.env());
  });
  afterEach(async () => {
    for (const name of Object.keys(sandbox.env())) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await sandbox?.stop();
    project?.remove();
  });

  it('a vite build with a cold plugin cache and the service warm writes the same bundle as one compiled in-process', async () => {
    const vite = BUNDLERS.find(b => b.name === 'vite')!;
    await vite.build(project);
    const inProcess = readFileSync(project.path('dist/main.js'), 'utf8');
    const { socket } = await sandbox.service();
    const warm = await sandbox.waitFor('the service to compile its first file', async () => {
      const status = await sandbox.status(socket);
      return status && status.answered > 0 ? status : undefined;
    });

    rmSync(project.path('node_modules/.cache'), { recursive: true, force: true });
    await vite.build(project);
    expect(readFileSync(project.path('dist/main.js'), 'utf8')).toBe(inProcess);
    // Each annotated module of the fixture (api, files, records, report) was answered by the service.
    expect((await sandbox.status(socket))!.answered).toBeGreaterThanOrEqual(warm.answered + 4);
  }, 180_000);

  it("a plugin whose own compiler is warm compiles an edit itself (a dev server's edits); a new plugin asks the warm service", async () => {
    const { beautyspot } = (await import(join(REPO, 'dist/plugin/adapters/unplugin.js'))) as typeof import('../../plugin/adapters/unplugin.js');
    type Handler = (this: unknown, code: string, id: string) => Promise<{ code: string } | undefined>;
    const transform = (plugin: ReturnType<typeof beautyspot.vite>, code: string): Promise<{ code: string } | undefined> =>
      ((plugin.transform as { handler: Handler }).handler).call({ addWatchFile() {}, warn() {}, error(e: unknown) { throw e; } }, code, file);
    const file = project.path('src/report.ts');
    const source = readFileSync(file, 'utf8');
    const edit = (n: number): string => source.replace(': a report`', `: a report ${n}\``);

    const dev = beautyspot.vite();
    expect((await transform(dev, source))?.code).toContain('markCompiled(');
    // That first compile was in-process (no service yet) and started the service.
    const { socket } = await sandbox.service();
    const before = await sandbox.waitFor('the service to warm up', async () => {
      const status = await sandbox.status(socket);
      return status && status.answered > 0 ? status : undefined;
    });
    for (const n of [1, 2]) {
      const edited = edit(n);
      writeFileSync(file, edited);
      (dev.watchChange as (id: string, change: { event: string }) => void)(file, { event: 'update' });
      expect((await transform(dev, edited))?.code).toContain(`a report ${n}`);
    }
    expect((await sandbox.status(socket))!.answered).toBe(before.answered);

    const fresh = beautyspot.vite();
    const edited = edit(3);
    writeFileSync(file, edited);
    expect((await transform(fresh, edited))?.code).toContain('a report 3');
    expect((await sandbox.status(socket))!.answered).toBe(before.answered + 1);
  }, 180_000);
});
