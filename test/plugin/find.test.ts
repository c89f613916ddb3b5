import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BeautyspotContext, type TransformOutput } from '../../plugin/compiler/context.js';
import { transformFilter } from '../../plugin/adapters/plugin-options.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let shared: BeautyspotContext | undefined;
const context = (): BeautyspotContext => (shared ??= new BeautyspotContext({ root: fixtures }));

/** Transforms a fixture file from disk. */
function transformFixture(name: string): TransformOutput {
  const file = join(fixtures, name);
  const out = context().transform(readFileSync(file, 'utf8'), file);
  if (!out) throw new Error(`${name} was left unchanged`);
  return out;
}

/** Transforms source text as if it were the file `fixtures/inline/<name>.ts` (never written to disk). */
function transformSource(name: string, source: string): TransformOutput | undefined {
  return context().transform(source, join(fixtures, 'inline', `${name}.ts`));
}

/** The options and compiled literals the rewrite passed to markCompiled for the function with this id. */
function markCall(code: string, id: string): { spot: string; options: string } {
  const calls = [...code.matchAll(/__beautyspot\.markCompiled\((undefined|"[^"]*"), .*?, (\{ [^}]*\}), \{ id: ("[^"]*")/g)];
  const call = calls.find(m => JSON.parse(m[3]!) === id);
  if (!call) throw new Error(`no markCompiled call for ${id} in:\n${code}`);
  return { spot: call[1]!, options: call[2]! };
}

describe('placements', () => {
  it.each([
    ['placements.ts#plainDeclaration', 'plainDeclaration = __beautyspot.markCompiled(undefined, plainDeclaration, '],
    ['placements.ts#exportedDeclaration', 'exportedDeclaration = __beautyspot.markCompiled(undefined, exportedDeclaration, '],
    ['placements.ts#asyncDeclaration', 'asyncDeclaration = __beautyspot.markCompiled(undefined, asyncDeclaration, '],
    ['placements.ts#arrow', 'export const arrow = __beautyspot.markCompiled(undefined, (s: string): string => s.toUpperCase(), '],
    ['placements.ts#asyncArrow', 'export const asyncArrow = __beautyspot.markCompiled(undefined, async (s: string): Promise<string> => s, '],
    ['placements.ts#expression', 'export const expression = __beautyspot.markCompiled(undefined, function (n: number): number {'],
    ['placements.ts#asyncExpression', 'export const asyncExpression = __beautyspot.markCompiled(undefined, async function (n: number): Promise<number> {'],
    ['placements.ts#Service.create', 'Service["create"] = __beautyspot.markCompiled(undefined, Service["create"], '],
    ['placements.ts#Service.load', 'Service["load"] = __beautyspot.markCompiled(undefined, Service["load"], '],
    ['placements.ts#Service.describe', 'Service.prototype["describe"] = __beautyspot.markCompiled(undefined, Service.prototype["describe"], '],
    ['placements.ts#Service.fetch', 'Service.prototype["fetch"] = __beautyspot.markCompiled(undefined, Service.prototype["fetch"], '],
  ])('finds %s and rebinds it', (id, rebinding) => {
    const out = transformFixture('placements.ts');
    expect(Object.keys(out.plans)).toContain(id);
    expect(out.code).toContain(rebinding);
  });

  it('finds exactly the annotated functions of a file, each once', () => {
    const out = transformFixture('placements.ts');
    expect(Object.keys(out.plans).sort()).toEqual([
      'placements.ts#Service.create', 'placements.ts#Service.describe', 'placements.ts#Service.fetch', 'placements.ts#Service.load',
      'placements.ts#arrow', 'placements.ts#asyncArrow', 'placements.ts#asyncDeclaration', 'placements.ts#asyncExpression',
      'placements.ts#exportedDeclaration', 'placements.ts#expression', 'placements.ts#plainDeclaration',
    ]);
    expect(out.code.match(/__beautyspot\.markCompiled\(/g)).toHaveLength(11);
    expect(out.code).not.toContain('unmarked = ');
  });

  it.each([
    ['asyncDeclaration', true], ['asyncArrow', true], ['asyncExpression', true], ['Service.load', true], ['Service.fetch', true],
    ['plainDeclaration', false], ['arrow', false], ['expression', false], ['Service.create', false], ['Service.describe', false],
  ])('tells the runtime whether %s is async (%s)', (name, isAsync) => {
    const out = transformFixture('placements.ts');
    expect(out.code).toMatch(new RegExp(`id: "placements\\.ts#${name.replace('.', '\\.')}", codeHash: "\\w+", code: \\{[^}]*\\}, params: \\[[^\\]]*\\], async: ${isAsync},`));
  });

  it('marks static methods on the class and instance methods on the prototype, after the class body', () => {
    const out = transformFixture('placements.ts');
    const classEnd = out.code.indexOf('\n}\n', out.code.indexOf('export class Service'));
    for (const member of ['Service["create"] =', 'Service["load"] =', 'Service.prototype["describe"] =', 'Service.prototype["fetch"] =']) {
      expect(out.code.indexOf(member)).toBeGreaterThan(classEnd);
    }
    expect(out.code).toContain('{ name: "create", static: true })');
    expect(out.code).toContain('{ name: "describe", static: false })');
  });

  it('finds an anonymous `export default function` and gives it a name to rebind', () => {
    const out = transformFixture('default-anonymous.ts');
    expect(Object.keys(out.plans)).toEqual(['default-anonymous.ts#default']);
    expect(out.code).toContain('export default function __beautyspot_default0 (x: number): number {');
    expect(out.code).toContain('__beautyspot_default0 = __beautyspot.markCompiled(undefined, __beautyspot_default0, ');
    expect(out.code).toContain('fnName: "default"');
  });

  it('finds a named `export default async function`', () => {
    const out = transformFixture('default-named.ts');
    expect(Object.keys(out.plans)).toEqual(['default-named.ts#loadAll']);
    expect(out.code).toContain('loadAll = __beautyspot.markCompiled(undefined, loadAll, { ttl: "1h" }, ');
    expect(out.code).toContain('export default async function loadAll(ids: string[]): Promise<number> {');
  });

  it('finds the annotation on the implementation after overload signatures', () => {
    const out = transformSource('overloads', [
      'export function pick(x: string): string;',
      'export function pick(x: number): number;',
      '/** @mark */',
      'export function pick(x: string | number): string | number {',
      '  return x;',
      '}',
    ].join('\n'));
    expect(Object.keys(out!.plans)).toEqual(['inline/overloads.ts#pick']);
    expect(out!.plans['inline/overloads.ts#pick']!.params[0]!.plan.kind).toBe('union');
  });
});

describe('annotation syntaxes', () => {
  it.each([
    ['a one-line JSDoc tag', '/** @mark ttl=1h */'],
    ['a JSDoc tag among other lines', '/**\n * Doubles.\n * @mark ttl=1h\n */'],
    ['a JSDoc tag with other tags after it', '/**\n * @mark ttl=1h\n * @param x the input\n * @returns twice x\n */'],
    ['a pragma line', '// beautyspot: mark ttl=1h'],
    ['a pragma line without the space', '//beautyspot:mark ttl=1h'],
    ['a pragma below other comments', '// Doubles.\n// beautyspot: mark ttl=1h'],
  ])('reads %s', (_, annotation) => {
    const out = transformSource('syntax', `${annotation}\nexport function twice(x: number): number {\n  return x * 2;\n}\n`);
    expect(Object.keys(out!.plans)).toEqual(['inline/syntax.ts#twice']);
    expect(markCall(out!.code, 'inline/syntax.ts#twice').options).toBe('{ ttl: "1h" }');
  });

  it('reads a bare tag as "no options"', () => {
    const out = transformSource('bare', '/** @mark */\nexport function f(x: number): number {\n  return x;\n}\n');
    expect(markCall(out!.code, 'inline/bare.ts#f')).toEqual({ spot: 'undefined', options: '{  }' });
  });

  it('ignores prose lines after the tag', () => {
    const out = transformSource('prose', [
      '/**',
      ' * Fetches a page.',
      ' * @mark ttl=7d version=3',
      ' * The result is cached for a week; see the docs for key=this and ttl=never.',
      ' * And more text with = signs in it.',
      ' */',
      'export function fetchPage(url: string): string {',
      '  return url;',
      '}',
    ].join('\n'));
    expect(markCall(out!.code, 'inline/prose.ts#fetchPage').options).toBe('{ version: "3", ttl: "7d" }');
  });

  it.each([
    ['@markdown', '/** Renders @markdown text. */'],
    ['@mark-up', '/** @mark-up */'],
    ['a word containing mark', '// remarkable: beautyspots are marks on the skin'],
  ])('does not take %s for an annotation, nor warn about it', (_, comment) => {
    expect(transformSource('not-a-tag', `${comment}\nexport function render(s: string): string {\n  return s;\n}\n`)).toBeUndefined();
  });

  it('does not take an annotation inside a string or template literal for one', () => {
    const source = [
      'export const doc = "/** @mark */";',
      'export const pragma = \'// beautyspot: mark\';',
      'export const template = `',
      '/** @mark ttl=1h */',
      '// beautyspot: mark',
      '`;',
      'export function render(s: string): string {',
      '  return s + doc + pragma + template;',
      '}',
    ].join('\n');
    expect(transformSource('strings', source)).toBeUndefined();
  });

  it('does not take an annotation inside a string for the function below it', () => {
    const out = transformSource('string-above', [
      'const hint = "/** @mark ttl=1h */";',
      'export function f(x: string): string {',
      '  return x + hint;',
      '}',
      '/** @mark */',
      'export function g(x: string): string {',
      '  return x;',
      '}',
    ].join('\n'));
    expect(Object.keys(out!.plans)).toEqual(['inline/string-above.ts#g']);
  });
});

const SYNTAX = 'An annotation is the JSDoc tag @mark at the start of a line of a /** */ comment, or a line comment // beautyspot: mark, directly above the function';

describe('near misses above a function', () => {
  it.each([
    ['@Mark', '/** @Mark */', '/** @mark */'],
    ['@MARK', '/** @MARK ttl=1h */', '/** @mark */'],
    ['@marked', '/**\n * Doubles.\n * @marked\n */', '/** @mark */'],
    ['@mark:', '/** @mark: ttl=1h */', '/** @mark */'],
    ['@marks', '/** @marks */', '/** @mark */'],
    ['@marker', '/** @marker ttl=1h */', '/** @mark */'],
    ['@beautyspot', '/** @beautyspot */', '/** @mark */'],
    ['@beautyspot', '/** @beautyspot mark */', '/** @mark */'],
    ['@mark', '/* @mark */', '/** @mark */'],
    ['@mark', '// @mark ttl=1h', '/** @mark */'],
    ['@mark', '/** Doubles. @mark ttl=1h */', '/** @mark */'],
    ['@mark', '// Callers should @mark the wrappers they write', '/** @mark */'],
    ['beautyspot: Mark', '// beautyspot: Mark', '// beautyspot: mark'],
    ['BEAUTYSPOT: mark', '// BEAUTYSPOT: mark', '// beautyspot: mark'],
    ['beautyspot mark', '// beautyspot mark ttl=1h', '// beautyspot: mark'],
    ['beautyspot: marked', '// beautyspot: marked', '// beautyspot: mark'],
    ['beautyspot:mark', '/** beautyspot:mark */', '// beautyspot: mark'],
    ['beautyspot = mark', '/* beautyspot = mark */', '// beautyspot: mark'],
  ])('warns about "%s" in `%s`, with the fix and where, and leaves the file as it is', (written, comment, suggestion) => {
    const source = `\n${comment}\nexport function twice(x: number): number {\n  return x * 2;\n}\n`;
    const out = transformSource('near-miss', source)!;
    const index = source.indexOf(written);
    const before = source.slice(0, index).split('\n');
    const where = `test/plugin/fixtures/inline/near-miss.ts:${before.length}:${before.at(-1)!.length + 1}`;
    expect(out.warnings).toEqual([`[beautyspot] ${where} twice: "${written}" is not an annotation (did you mean ${suggestion}?). ${SYNTAX}`]);
    expect(out.code).toBe(source);
    expect(out.plans).toEqual({});
  });

  it('warns about near misses on arrows and methods too, and still compiles the marked functions beside them', () => {
    const out = transformSource('near-miss-placements', [
      '/** @Mark */',
      'export const arrow = (x: number): number => x;',
      'export class Service {',
      '  // @mark',
      '  static load(id: string): string {',
      '    return id;',
      '  }',
      '}',
      '/** @mark */',
      'export function fine(x: number): number {',
      '  return x;',
      '}',
    ].join('\n'))!;
    expect(out.warnings.map(w => w.slice(0, w.indexOf(' is not')))).toEqual([
      '[beautyspot] test/plugin/fixtures/inline/near-miss-placements.ts:1:5 arrow: "@Mark"',
      '[beautyspot] test/plugin/fixtures/inline/near-miss-placements.ts:4:6 Service.load: "@mark"',
    ]);
    expect(Object.keys(out.plans)).toEqual(['inline/near-miss-placements.ts#fine']);
  });

  it('does not warn about prose beside a real annotation', () => {
    const out = transformSource('near-miss-beside', '// Like @Mark in other tools.\n/** @mark */\nexport function f(x: number): number {\n  return x;\n}\n')!;
    expect(out.warnings).toEqual([]);
    expect(Object.keys(out.plans)).toEqual(['inline/near-miss-beside.ts#f']);
  });
});

describe('prose away from functions', () => {
  it('is neither an annotation nor an error: comments in bodies, strings, templates, doc comments of other things', () => {
    const source = [
      '/** Options; callers should @mark their own wrappers. */',
      'export interface Options { depth: number }',
      '/**',
      ' * The limit. Unlike @mark, it is not inherited.',
      ' */',
      'export const limit = 10;',
      'export function render(s: string): string {',
      '  // callers should @mark the functions they want cached',
      '  /* a @mark here would do nothing */',
      '  const hint = `/** @mark */ above a function, or // beautyspot: mark`;',
      '  return s + hint + "@mark" + limit; // @mark is prose here',
      '}',
    ].join('\n');
    expect(transformSource('prose-elsewhere', source)).toBeUndefined();
  });

  it.each([
    '/** @mark */', '/**\n * @mark ttl=1h\n */', '// beautyspot: mark', '//beautyspot:mark', '/** @Mark */', '// @mark',
    '/* @marked */', '/** @beautyspot */', '// beautyspot mark', '// BeautySpot: Mark', '// beauty-spot: mark',
    'const run = cachedRun(simulate);', 'spot.cachedRun (simulate, { ttl: "1d" })',
  ])('the bundlers\' cheap check lets `%s` through to find/', comment => {
    expect(transformFilter({}).code.test(comment)).toBe(true);
  });

  it.each(['export const twice = (x: number) => x * 2;', '// cachedRuns are described in the README', 'const mark = "@ma" + "rk";'])(
    'the bundlers\' cheap check keeps `%s` from the compiler', code => {
      expect(transformFilter({}).code.test(code)).toBe(false);
    });
});

describe('annotation options', () => {
  const source = [
    '/** @mark version=2 ttl=7d blob key=[a, b] cost=2 tags=x,y access=r limit=api codeHash=false spot=other name=custom */',
    'export function all(a: string, b: number, c: boolean): string {',
    '  return a + b + c;',
    '}',
  ].join('\n');

  it('passes every literal option to markCompiled, in the options object', () => {
    const out = transformSource('options', source)!;
    expect(markCall(out.code, 'custom')).toEqual({
      spot: '"other"',
      options: '{ version: "2", name: "custom", ttl: "7d", blob: true, access: "r", limit: "api", codeHash: false, tags: ["x","y"], cost: 2 }',
    });
  });

  it('uses name= as the whole function id (it survives moving the file)', () => {
    expect(Object.keys(transformSource('options', source)!.plans)).toEqual(['custom']);
  });

  it('compiles key= (an expression with a space inside brackets) into the key instead of the parameters', () => {
    const plan = transformSource('options', source)!.plans['custom']!;
    expect(plan.key).toEqual({ params: 'a: string, b: number, c: boolean', expression: '[a, b]' });
    expect(plan.params).toEqual([{
      name: 'key',
      plan: { kind: 'array', element: { kind: 'union', members: [{ test: 'string', plan: { kind: 'string' } }, { test: 'number', plan: { kind: 'number' } }] } },
    }]);
  });

  it('leaves the code hash out with codeHash=false', () => {
    expect(transformSource('options', source)!.code).toContain('id: "custom", codeHash: "",');
  });

  it.each([
    ['blob', '{ blob: true }'],
    ['blob=true', '{ blob: true }'],
    ['blob=false', '{ blob: false }'],
    ['codeHash', '{ codeHash: true }'],
    ['limit=false', '{ limit: false }'],
    ['tags=one', '{ tags: ["one"] }'],
    ['version=v1.2', '{ version: "v1.2" }'],
    ['ttl=500ms access=ew', '{ ttl: "500ms", access: "ew" }'],
  ])('reads `%s`', (options, literal) => {
    const out = transformSource('option', `/** @mark ${options} */\nexport function f(x: number): number {\n  return x;\n}\n`)!;
    expect(markCall(out.code, 'inline/option.ts#f').options).toBe(literal);
  });

  it('reads options from a pragma line as from a JSDoc tag', () => {
    const out = transformSource('pragma-options', '// beautyspot: mark version=2 spot=api key=[x.id, "a b"]\nexport const f = (x: { id: string }) => x.id;\n')!;
    expect(markCall(out.code, 'inline/pragma-options.ts#f')).toEqual({ spot: '"api"', options: '{ version: "2" }' });
    expect(out.plans['inline/pragma-options.ts#f']!.key!.expression).toBe('[x.id, "a b"]');
  });
});
