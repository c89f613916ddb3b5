import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeautyspotContext, type BeautyspotOptions } from '../../plugin/compiler/context.js';
import { findUp } from '../../runtime/project-root.js';
import { answer } from '../../plugin/service/answer.js';
import type { CompileRequest } from '../../plugin/service/protocol.js';
import { ServiceSandbox } from '../helpers/compile-service.js';

// The compile service (dist/plugin/service/server.js, a real process) against the in-process compiler: for every
// fixture, both the loader's request (rewrite + strip types) and the plugin's (rewrite, with its options), the
// service's answer is byte-identical. The service answers them all from its warm programs, in the reverse order
// and twice (the second time from its memory); in-process, each tsconfig and option set gets a context of its own.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const pluginFixtures = join(REPO, 'test', 'plugin', 'fixtures');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(f => /\.tsx?$/.test(f) && !f.split('/').includes('node_modules'))
    .map(f => join(dir, f))
    .sort();
}

function requests(): { label: string; request: CompileRequest }[] {
  const cwd = REPO;
  const list: { label: string; request: CompileRequest }[] = [];
  const add = (fileName: string, code: string, optionSets: BeautyspotOptions[]): void => {
    const label = relative(REPO, fileName);
    list.push({ label: `${label} (loader)`, request: { kind: 'module', fileName, code, cwd, commonjs: false } });
    for (const options of optionSets) {
      list.push({ label: `${label} ${JSON.stringify(options)}`, request: { kind: 'transform', fileName, code, cwd, options } });
    }
  };
  for (const file of tsFiles(pluginFixtures)) {
    add(file, readFileSync(file, 'utf8'), [{ root: pluginFixtures }, { root: pluginFixtures, strict: true }]);
  }
  for (const file of tsFiles(join(REPO, 'fixtures')).filter(f => readFileSync(f, 'utf8').includes('@mark'))) {
    add(file, readFileSync(file, 'utf8'), [{}]);
  }
  // Bad input: the diagnostics come back as data, with the same positions and fixes.
  add(join(pluginFixtures, 'not-on-disk.ts'), '/** @mark */\nexport function f(cb: () => void, n: number): number { return n; }\n', [{ root: pluginFixtures }]);
  return list;
}

/**
 * In-process, as a process without a service compiles the file: one context per tsconfig (the one a fresh
 * process's first file would find) and option set.
 */
function inProcess(request: CompileRequest): unknown {
  const key = JSON.stringify([findUp(dirname(request.fileName), 'tsconfig.json'), request.kind === 'transform' ? request.options : 'loader']);
  let context = contexts.get(key);
  if (!context) contexts.set(key, (context = new BeautyspotContext(request.kind === 'transform' ? request.options : {})));
  return answer(context, request);
}
const contexts = new Map<string, BeautyspotContext>();

describe('the compile service gives what the in-process compiler gives', () => {
  const sandbox = new ServiceSandbox();
  let socket: string;
  beforeAll(async () => {
    socket = join(sandbox.socketDir, 'equivalence.sock');
    // Idle for as long as the in-process compiles take.
    sandbox.start(socket, { BEAUTYSPOT_COMPILE_SERVICE_IDLE_MS: '900000' });
    await sandbox.waitFor('the service to listen', () => sandbox.status(socket));
  }, 120_000);
  afterAll(() => sandbox.stop());

  it('on every fixture and on test/plugin/fixtures, for the loader and the plugin, and for bad input', async () => {
    const list = requests();
    expect(list.some(({ request }) => request.fileName.endsWith('golden.ts'))).toBe(true);
    const expected = list.map(({ request }) => JSON.stringify(inProcess(request)));
    expect(expected.at(-1)).toContain('"diagnostics"');
    const served = new Map<number, string[]>();
    for (const i of [...list.keys()].reverse().concat([...list.keys()].reverse())) {
      served.set(i, [...(served.get(i) ?? []), JSON.stringify(await sandbox.ask(socket, list[i]!.request))]);
    }
    for (const [i, { label }] of list.entries()) {
      expect({ label, answers: served.get(i) }).toEqual({ label, answers: [expected[i], expected[i]] });
    }
    expect((await sandbox.status(socket))!.answered).toBe(list.length * 2);
  }, 300_000);

  it('after an edit of a type file on disk, the warm service answers as a fresh compile of the edited project', async () => {
    mkdirSync(join(REPO, '.tmp'), { recursive: true });
    const project = mkdtempSync(join(REPO, '.tmp', 'service-edit-'));
    try {
      cpSync(join(REPO, 'fixtures', 'run-script'), project, { recursive: true });
      const main = join(project, 'src', 'main.ts');
      const request: CompileRequest = { kind: 'module', fileName: main, code: readFileSync(main, 'utf8'), cwd: REPO, commonjs: false };
      const before = await sandbox.ask(socket, request);
      expect(before).toEqual(answer(new BeautyspotContext(), request));
      const types = join(project, 'src', 'types.ts');
      writeFileSync(types, readFileSync(types, 'utf8').replace('  quantity: number;\n', '  quantity: number;\n  note: string;\n'));
      const after = await sandbox.ask(socket, request);
      expect(after).not.toEqual(before);
      expect(after).toEqual(answer(new BeautyspotContext(), request));
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 120_000);
});
