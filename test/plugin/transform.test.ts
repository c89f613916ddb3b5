import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { ts } from 'ts-morph';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BeautyspotContext, type TransformOutput } from '../../plugin/compiler/context.js';
import { BeautyspotBuildError } from '../../plugin/compiler/diagnostics.js';
import { tempDir } from '../helpers/temp-spot.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(repo, 'test/plugin/fixtures');
const runtimeModule = join(repo, 'dist/runtime/index.js');

let shared: BeautyspotContext | undefined;
const context = (): BeautyspotContext => (shared ??= new BeautyspotContext({ root: fixtures, runtimeModule }));

const inline = (name: string): string => join(fixtures, 'inline', `${name}.ts`);

function transform(source: string, id: string): TransformOutput {
  const out = context().transform(source, id);
  if (!out) throw new Error(`${id} was left unchanged`);
  return out;
}

function transformFixture(name: string): TransformOutput {
  const file = join(fixtures, name);
  return transform(readFileSync(file, 'utf8'), file);
}

/**
 * A directory under the repo (so `import … from 'beautyspot'` resolves to this package) holding compiled
 * modules, and a cache directory; `run` executes a script there in a fresh Node process.
 */
function sandbox(): { write(name: string, out: TransformOutput): void; run(main: string): any } {
  mkdirSync(join(repo, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(repo, '.tmp', 'plugin-transform-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const cache = tempDir('bs-transform-cache-');
  let scripts = 0;
  return {
    write(name, out) {
      const js = ts.transpileModule(out.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      writeFileSync(join(dir, `${name}.mjs`), js);
    },
    run(main) {
      const script = join(dir, `main${scripts++}.mjs`);
      writeFileSync(script, main);
      const stdout = execFileSync(process.execPath, [script], { env: { ...process.env, BEAUTYSPOT_DIR: cache }, encoding: 'utf8' });
      return JSON.parse(stdout.trim().split('\n').pop()!);
    },
  };
}

/** The code hash the rewrite compiled in for the function with this id. */
function codeHashOf(out: TransformOutput, id: string): string {
  const match = new RegExp(`id: ${JSON.stringify(id).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, codeHash: "([0-9a-f]*)"`).exec(out.code);
  if (!match) throw new Error(`no compiled key for ${id}`);
  return match[1]!;
}

describe('compiled functions are cached', () => {
  const calls = `
import * as m from './counted.mjs';
const results = [];
results.push(m.twice(21), m.twice(4), m.twice(4));
results.push(m.shout('ab', 2), m.shout('ab', 2));
results.push(await m.measure('abc'), await m.measure('abc'));
console.log(JSON.stringify({ results, runs: m.runs }));
`;

  it('a second call with equal arguments does not run the body', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    expect(box.run(calls)).toEqual({
      results: [42, 8, 8, 'ABAB', 'ABAB', 3, 3],
      runs: ['twice(21)', 'twice(4)', 'shout(ab,2)', 'measure(abc)'],
    });
  });

  it('a second process finds every result in the cache and runs no body', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    box.run(calls);
    expect(box.run(calls)).toEqual({ results: [42, 8, 8, 'ABAB', 'ABAB', 3, 3], runs: [] });
  });

  it('an async function stays async: it returns a promise, on a hit too', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const first = m.measure('abcd');
const isPromise = first instanceof Promise;
await first;
const second = m.measure('abcd');
console.log(JSON.stringify({ isPromise, hitIsPromise: second instanceof Promise, value: await second, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ isPromise: true, hitIsPromise: true, value: 4, runs: ['twice(21)', 'measure(abcd)'] });
  });

  it('a marked declaration called from code above it (while the module loads) is already cached', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const atLoad = [...m.runs];
const again = m.twice(21);
console.log(JSON.stringify({ early: m.early, atLoad, again, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ early: 42, atLoad: ['twice(21)'], again: 42, runs: ['twice(21)'] });
    expect(box.run(main)).toEqual({ early: 42, atLoad: [], again: 42, runs: [] });
  });

  it('an anonymous `export default function` is cached and keeps the name "default"', () => {
    const box = sandbox();
    box.write('default-anonymous', transformFixture('default-anonymous.ts'));
    const main = `
import triple, { runs } from './default-anonymous.mjs';
console.log(JSON.stringify({ values: [triple(2), triple(2), triple(3)], runs, name: triple.name, length: triple.length }));
`;
    expect(box.run(main)).toEqual({ values: [6, 6, 9], runs: [2, 3], name: 'default', length: 1 });
  });

  it('a default parameter is bound at build time: f(1) and f(1, 2) are one entry when 2 is the default', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const values = [m.withDefault(1), m.withDefault(1, 2), m.withDefault(1, undefined), m.withDefault(1, 3)];
console.log(JSON.stringify({ values, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ values: [3, 3, 3, 4], runs: ['twice(21)', 'withDefault(1,2)', 'withDefault(1,3)'] });
  });

  it('key= keys on the expression: arguments outside it do not make a new entry', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const values = [m.keyed('a', true), m.keyed('a', false), m.keyed('b', false)];
console.log(JSON.stringify({ values, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ values: ['a', 'a', 'b'], runs: ['twice(21)', 'keyed(a,true)', 'keyed(b,false)'] });
  });
});

describe('the wrapper behaves like the function', () => {
  it('keeps name and length of declarations, arrows and methods', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const fns = { twice: m.twice, shout: m.shout, measure: m.measure, withDefault: m.withDefault, add: m.Counter.prototype.add, label: m.Counter.label };
console.log(JSON.stringify(Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, [f.name, f.length]]))));
`;
    expect(box.run(main)).toEqual({
      twice: ['twice', 1],
      shout: ['shout', 2],
      measure: ['measure', 1],
      withDefault: ['withDefault', 1],
      add: ['add', 1],
      label: ['label', 1],
    });
  });

  it('keeps `this` for instance methods, keyed by the class\'s key hook', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const values = [new m.Counter(10).add(1), new m.Counter(20).add(1), new m.Counter(10).add(1)];
console.log(JSON.stringify({ values, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ values: [11, 21, 11], runs: ['twice(21)', 'add(10,1)', 'add(20,1)'] });
  });

  it('keeps `this` (the class) for static methods', () => {
    const box = sandbox();
    box.write('counted', transformFixture('counted.ts'));
    const main = `
import * as m from './counted.mjs';
const values = [m.Counter.label('a'), m.Counter.label('a')];
console.log(JSON.stringify({ values, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ values: ['Counter:a', 'Counter:a'], runs: ['twice(21)', 'label(a)'] });
  });
});

describe('the rewrite', () => {
  it('leaves a file without annotations alone', () => {
    expect(context().transform('export function f(x: number): number {\n  return x;\n}\n', inline('plain'))).toBeUndefined();
    expect(context().transform('// mentions beautyspot: a cache\nexport const f = (x: number) => x;\n', inline('plain'))).toBeUndefined();
  });

  it('is idempotent: its output is left alone, so nothing is wrapped twice', () => {
    const out = transformFixture('counted.ts');
    expect(out.code.match(/markCompiled\(/g)).toHaveLength(7);
    expect(out.code.match(/import \* as __beautyspot from /g)).toHaveLength(1);
    expect(context().transform(out.code, join(fixtures, 'counted.ts'))).toBeUndefined();
  });

  it('imports the runtime from the configured module', () => {
    expect(transformFixture('counted.ts').code).toContain(`import * as __beautyspot from ${JSON.stringify(runtimeModule)};`);
  });

  it('keeps every original line and maps it back to itself in the source map', () => {
    const file = join(fixtures, 'counted.ts');
    const original = readFileSync(file, 'utf8');
    const out = transformFixture('counted.ts');
    const map = new TraceMap(JSON.parse(out.map.toString()));
    expect(map.sources).toEqual([file]);
    expect(out.map.sourcesContent).toEqual([original]);
    const originalLines = original.split('\n');
    const outputLines = out.code.split('\n');
    const unique = (lines: string[], line: string): boolean => lines.includes(line) && lines.indexOf(line) === lines.lastIndexOf(line);
    let checked = 0;
    originalLines.forEach((text, i) => {
      if (text.trim() === '' || !unique(originalLines, text) || !unique(outputLines, text)) return;
      const column = text.length - text.trimStart().length;
      const position = originalPositionFor(map, { line: outputLines.indexOf(text) + 1, column });
      expect({ text, line: position.line, column: position.column }).toEqual({ text, line: i + 1, column });
      checked++;
    });
    // Lines like `}` or `/** @mark */` repeat; the other 31 lines (every body line among them) are checked.
    expect(checked).toBe(31);
    for (const body of ['  runs.push(`twice(${n})`);', '    runs.push(`add(${this.start},${n})`);', '  return url.length;']) {
      expect(outputLines).toContain(body);
    }
  });
});

describe('key= and cost= expressions', () => {
  it('type-checks key= against the parameters and reports the error at the function', () => {
    const source = 'export const x = 1;\n/** @mark key=[nope, url] */\nexport function fetchPage(url: string): string {\n  return url;\n}\n';
    let error: unknown;
    try {
      context().transform(source, inline('bad-key'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BeautyspotBuildError);
    const [d] = (error as BeautyspotBuildError).diagnostics;
    expect(d).toMatchObject({
      line: 3,
      col: 1,
      path: 'key',
      message: 'fetchPage: key=[nope, url] does not type-check: Cannot find name \'nope\'.',
      fix: 'The key expression may use the parameters (and `this` in methods)',
    });
    expect((error as BeautyspotBuildError).diagnostics).toHaveLength(1);
  });

  it('type-checks key= property accesses against the parameter types', () => {
    const source = '/** @mark key=opts.size */\nexport function load(opts: { name: string }): string {\n  return opts.name;\n}\n';
    expect(() => context().transform(source, inline('bad-key-property')))
      .toThrow('load: key=opts.size does not type-check: Property \'size\' does not exist on type \'{ name: string; }\'.');
  });

  it('compiles key= into the key writer and plans the key by its type', () => {
    const out = transform('/** @mark key=[page.url, depth] */\nexport function crawl(page: { url: string; log: () => void }, depth: number): number {\n  return depth;\n}\n', inline('key'));
    expect(out.code).toContain('const key = (function (page: { url: string; log: () => void }, depth: number) { return ([page.url, depth]); }).apply(self, args);');
    // `[page.url, depth]` has the type (string | number)[].
    expect(out.plans['inline/key.ts#crawl']!.params).toEqual([{ name: 'key', plan: { kind: 'array', element: { kind: 'union', members: [
      { test: 'string', plan: { kind: 'string' } },
      { test: 'number', plan: { kind: 'number' } },
    ] } } }]);
  });

  it('emits cost= as a function of the parameters, which the rate limiter calls on a miss', () => {
    const source = [
      '/** @mark spot=api cost=(tokens * 1000) */',
      'export function complete(prompt: string, tokens: number): string {',
      '  return prompt.repeat(tokens > 0 ? 1 : 0);',
      '}',
    ].join('\n');
    const out = transform(source, inline('cost'));
    expect(out.code).toContain('{ cost: function __beautyspot_cost0(prompt: string, tokens: number) { return ((tokens * 1000)); } }');
    const box = sandbox();
    box.write('cost', out);
    const main = `
import { defineSpot } from ${JSON.stringify(runtimeModule)};
import { complete } from './cost.mjs';
defineSpot('api', { dir: process.env.BEAUTYSPOT_DIR, limit: { tpm: 100, burstTokens: 100 } });
const cheap = complete('a', 0.05);
let expensive;
try { complete('b', 1); } catch (error) { expensive = error.message; }
console.log(JSON.stringify({ cheap, expensive }));
`;
    expect(box.run(main)).toEqual({
      cheap: 'a',
      expensive: '[beautyspot] a call costing 1000 is more than the limit of 100 per minute allows, so it could never run; raise tpm, or split the call.',
    });
  });
});

describe('code hash', () => {
  const base = [
    'const FACTOR = 2;',
    'function helper(x: number): number {',
    '  return x + 1;',
    '}',
    'export function unrelated(x: number): number {',
    '  return x - 1;',
    '}',
    '/** @mark */',
    'export function compute(x: number): number {',
    '  // add one, then scale',
    '  return helper(x) * FACTOR;',
    '}',
  ].join('\n');
  const id = 'inline/code-hash.ts#compute';
  const hashOf = (source: string): string => codeHashOf(transform(source, inline('code-hash')), id);

  it('is a hash of the source', () => {
    expect(hashOf(base)).toMatch(/^[0-9a-f]{32}$/);
    expect(hashOf(base)).toBe(hashOf(base));
  });

  it.each([
    ['comments in the body', (s: string) => s.replace('// add one, then scale', '/* something else entirely */')],
    ['formatting', (s: string) => s.replace('export function compute(x: number): number {', 'export   function compute( x:number ) : number{').replace('  return helper(x) * FACTOR;', '\treturn helper( x )*FACTOR')],
    ['the annotation and its JSDoc', (s: string) => s.replace('/** @mark */', '/**\n * Computes.\n * @mark version=7 ttl=1h\n */')],
    ['a function it does not call', (s: string) => s.replace('return x - 1;', 'return x - 100;')],
  ])('does not change with %s', (_, edit) => {
    expect(hashOf(edit(base))).toBe(hashOf(base));
  });

  it.each([
    ['the body', (s: string) => s.replace('helper(x) * FACTOR', 'helper(x) * FACTOR + 1')],
    ['a parameter name', (s: string) => s.replace('compute(x: number)', 'compute(y: number)').replace('helper(x)', 'helper(y)')],
    ['a helper function it calls (same file)', (s: string) => s.replace('return x + 1;', 'return x + 2;')],
    ['a module constant it reads', (s: string) => s.replace('const FACTOR = 2;', 'const FACTOR = 3;')],
  ])('changes with %s', (_, edit) => {
    expect(hashOf(edit(base))).not.toBe(hashOf(base));
  });

  it('changes with a helper in another file (after that file is invalidated), and lists that file as a dependency', () => {
    mkdirSync(join(repo, '.tmp'), { recursive: true });
    const dir = mkdtempSync(join(repo, '.tmp', 'plugin-code-hash-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const helper = join(dir, 'scale.ts');
    const main = join(dir, 'main.ts');
    const source = 'import { scale } from \'./scale.js\';\n/** @mark */\nexport function compute(x: number): number {\n  return scale(x);\n}\n';
    const hash = (): { hash: string; dependencies: string[] } => {
      const out = transform(source, main);
      const match = /codeHash: "([0-9a-f]*)"/.exec(out.code);
      return { hash: match![1]!, dependencies: out.dependencies };
    };
    const edit = (text: string): void => {
      writeFileSync(helper, text);
      context().invalidate(helper);
    };
    edit('export function scale(x: number): number {\n  return x * 2;\n}\n');
    const first = hash();
    expect(first.dependencies).toContain(helper);
    edit('// Scales.\nexport function scale(x: number): number {\n  return x * 2; // twice\n}\n');
    expect(hash().hash).toBe(first.hash);
    edit('export function scale(x: number): number {\n  return x * 3;\n}\n');
    expect(hash().hash).not.toBe(first.hash);
    edit('export function scale(x: number): number {\n  return x * 2;\n}\n');
    expect(hash().hash).toBe(first.hash);
  });

  it('is left out with codeHash=false', () => {
    const out = transform(base.replace('/** @mark */', '/** @mark codeHash=false */'), inline('code-hash'));
    expect(codeHashOf(out, id)).toBe('');
    expect(out.code).toContain('{ codeHash: false }');
  });

  it('invalidates at run time: a comment edit still hits, a body edit recomputes', () => {
    const box = sandbox();
    const source = (body: string): string => `export const runs: number[] = [];\n/** @mark */\nexport function f(x: number): number {\n  runs.push(x);\n  ${body}\n}\n`;
    const main = 'import * as m from \'./f.mjs\';\nconsole.log(JSON.stringify({ value: m.f(5), runs: m.runs }));\n';
    box.write('f', transform(source('return x * 2;'), inline('runtime-hash')));
    expect(box.run(main)).toEqual({ value: 10, runs: [5] });
    box.write('f', transform(source('return x * 2; // the same'), inline('runtime-hash')));
    expect(box.run(main)).toEqual({ value: 10, runs: [] });
    box.write('f', transform(source('return x * 3;'), inline('runtime-hash')));
    expect(box.run(main)).toEqual({ value: 15, runs: [5] });
  });
});

describe('version=', () => {
  const source = (version: string): string => `export const runs: number[] = [];\n/** @mark ${version} */\nexport function f(x: number): number {\n  runs.push(x);\n  return x;\n}\n`;

  it('is passed in the options literal', () => {
    expect(transform(source('version=3'), inline('version')).code)
      .toContain('f = __beautyspot.markCompiled(undefined, f, { version: "3" }, { id: "inline/version.ts#f", ');
  });

  it('a new version misses the old entries; the same version hits them', () => {
    const box = sandbox();
    const main = 'import * as m from \'./f.mjs\';\nconsole.log(JSON.stringify({ value: m.f(5), runs: m.runs }));\n';
    box.write('f', transform(source('version=1'), inline('version')));
    expect(box.run(main)).toEqual({ value: 5, runs: [5] });
    expect(box.run(main)).toEqual({ value: 5, runs: [] });
    box.write('f', transform(source('version=2'), inline('version')));
    expect(box.run(main)).toEqual({ value: 5, runs: [5] });
  });
});

describe('cachedRun calls', () => {
  it('are given key code from the function\'s parameter types; generic, overloaded and key= calls are left alone', () => {
    const { code } = transformFixture('cached-runs.ts');
    expect(code).toContain('cachedRun(label, { name: \'label\' }, { params: ["n","unit","tags"], writeArgs: (w, args, self) => {');
    expect(code).toContain('getSpot().cachedRun(size, undefined, { params: ["path"], writeArgs: (w, args, self) => {');
    expect(code).toContain('w.file(args[0], "path");');
    expect(code).toContain('cachedRun(first);');
    expect(code).toContain('cachedRun(pad);');
    expect(code).toContain('cachedRun(label, { name: \'keyed\', key: (n: number) => n });');
  });

  it('list the file that declares the function as a dependency (its parameter types make the key code)', () => {
    const source = `import { cachedRun } from 'beautyspot';\nimport { label } from '../cached-runs.js';\nexport const cached = cachedRun(label);\n`;
    const out = transform(source, inline('cached-run-imported'));
    expect(out.code).toContain('cachedRun(label, undefined, { params: ["n","unit","tags"], writeArgs:');
    expect(out.dependencies).toContain(join(fixtures, 'cached-runs.ts'));
  });

  it('leaves a call alone whose function is not statically known', () => {
    const source = `import { cachedRun } from 'beautyspot';\nexport const wrap = (fn: (...args: any[]) => any) => cachedRun(fn);\n`;
    expect(context().transform(source, inline('cached-run-unknown'))).toBeUndefined();
  });

  it('key plain types as the run-time encoder does: an unspecialised cachedRun of the function finds the entry', () => {
    const box = sandbox();
    box.write('cached-runs', transformFixture('cached-runs.ts'));
    const main = `
import { cachedRun } from 'beautyspot';
import * as m from './cached-runs.mjs';
const dynamic = cachedRun(m.label, { name: 'label' });
const results = [m.cachedLabel(3, 'kg', ['a', 'b']), dynamic(3, 'kg', ['a', 'b']), dynamic(4, 'kg', []), m.cachedLabel(4, 'kg', [])];
console.log(JSON.stringify({ results, runs: m.runs }));
`;
    expect(box.run(main)).toEqual({ results: ['3 kg a,b', '3 kg a,b', '4 kg ', '4 kg '], runs: ['label(3,kg)', 'label(4,kg)'] });
  });

  it('key a FilePath parameter by the file\'s content, in this process and the next', () => {
    const box = sandbox();
    box.write('cached-runs', transformFixture('cached-runs.ts'));
    const file = join(tempDir('bs-cached-run-file-'), 'data.txt');
    const main = (content: string): string => `
import { writeFileSync } from 'node:fs';
import * as m from './cached-runs.mjs';
writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(content)});
const results = [m.cachedSize(${JSON.stringify(file)}), m.cachedSize(${JSON.stringify(file)}), m.cachedLabel(1, 'm', [])];
console.log(JSON.stringify({ results, runs: m.runs.length }));
`;
    expect(box.run(main('abc'))).toEqual({ results: [3, 3, '1 m '], runs: 2 });
    expect(box.run(main('abc'))).toEqual({ results: [3, 3, '1 m '], runs: 0 });
    expect(box.run(main('abcdef'))).toEqual({ results: [6, 6, '1 m '], runs: 1 });
  });
});
