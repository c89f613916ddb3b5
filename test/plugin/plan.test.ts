import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BeautyspotContext, type TransformOutput } from '../../plugin/compiler/context.js';
import { emitKeyCode } from '../../plugin/compiler/emit/emit-key.js';
import type { FunctionPlan, KeyPlan } from '../../plugin/compiler/plan/key-plan.js';
import * as runtime from '../../runtime/index.js';
import { KeyWriter } from '../../runtime/index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const file = join(fixtures, 'plan-types.ts');

let shared: BeautyspotContext | undefined;
const context = (): BeautyspotContext => (shared ??= new BeautyspotContext({ root: fixtures }));
let output: TransformOutput | undefined;

/** The plan of one function of fixtures/plan-types.ts. */
function planOf(name: string): FunctionPlan {
  output ??= context().transform(readFileSync(file, 'utf8'), file);
  const plan = output?.plans[`plan-types.ts#${name}`];
  if (!plan) throw new Error(`no plan for ${name}; plans: ${Object.keys(output?.plans ?? {}).join(', ')}`);
  return plan;
}

/** Parameter name → plan, in declaration order. */
function paramPlans(name: string): [string, KeyPlan][] {
  return planOf(name).params.map(p => [p.name, p.plan]);
}

const string: KeyPlan = { kind: 'string' };
const number: KeyPlan = { kind: 'number' };
const boolean: KeyPlan = { kind: 'boolean' };
const orUndefined = (plan: KeyPlan, test: 'string' | 'number' | 'boolean' | 'object'): KeyPlan =>
  ({ kind: 'union', members: [{ test: 'undefined', plan: { kind: 'undefined' } }, { test, plan }] });

describe('plans by parameter type', () => {
  it.each<[string, string, [string, KeyPlan][]]>([
    ['string, string literal union and template literal', 'strings', [['s', string], ['literal', string], ['template', string]]],
    ['number, numeric enum and numeric literal', 'numbers', [['n', number], ['level', number], ['one', number]]],
    ['string enum', 'stringEnum', [['mode', string]]],
    ['boolean and boolean literal', 'booleans', [['flag', boolean], ['yes', boolean]]],
    ['null, undefined, nullable and optional', 'nullish', [
      ['none', { kind: 'null' }],
      ['missing', { kind: 'undefined' }],
      ['maybe', { kind: 'union', members: [{ test: 'null', plan: { kind: 'null' } }, { test: 'string', plan: string }] }],
      ['optional', orUndefined(number, 'number')],
    ]],
    ['bigint', 'bigints', [['b', { kind: 'bigint' }]]],
    ['Date and RegExp', 'dates', [['d', { kind: 'date' }], ['pattern', { kind: 'regexp' }]]],
    ['Uint8Array, Buffer, ArrayBuffer and typed arrays', 'binaries',
      [['u8', { kind: 'binary' }], ['buffer', { kind: 'binary' }], ['raw', { kind: 'binary' }], ['f64', { kind: 'binary' }], ['i32', { kind: 'binary' }]]],
    ['T[], readonly T[] and tuples', 'arrays', [
      ['list', { kind: 'array', element: string }],
      ['frozen', { kind: 'array', element: number }],
      ['pair', { kind: 'tuple', elements: [string, number] }],
      ['fixed', { kind: 'tuple', elements: [boolean, { kind: 'bigint' }] }],
    ]],
    ['object literal type and interface: fields sorted, optional ones flagged', 'objects', [
      ['literal', { kind: 'object', fields: [
        { name: 'alpha', optional: false, plan: string },
        { name: 'middle', optional: true, plan: orUndefined(boolean, 'boolean') },
        { name: 'zeta', optional: false, plan: number },
      ] }],
      ['page', { kind: 'object', fields: [
        { name: 'depth', optional: true, plan: orUndefined(number, 'number') },
        { name: 'url', optional: false, plan: string },
      ] }],
    ]],
    ['Record<string, T> and index signatures', 'records', [['counts', { kind: 'record', value: number }], ['index', { kind: 'record', value: string }]]],
    ['Map and Set', 'collections', [['map', { kind: 'map', key: string, value: number }], ['set', { kind: 'set', element: { kind: 'bigint' } }]]],
    ['union of primitives (and an alias of one from another file)', 'primitiveUnion', [
      ['value', { kind: 'union', members: [{ test: 'string', plan: string }, { test: 'number', plan: number }, { test: 'boolean', plan: boolean }] }],
      ['id', { kind: 'union', members: [{ test: 'string', plan: string }, { test: 'number', plan: number }] }],
    ]],
    ['discriminated union', 'discriminated', [['shape', { kind: 'union', members: [{ test: 'object', plan: {
      kind: 'discriminated',
      property: 'kind',
      cases: [
        { values: ['circle'], plan: { kind: 'object', fields: [{ name: 'kind', optional: false, plan: string }, { name: 'radius', optional: false, plan: number }] } },
        { values: ['square'], plan: { kind: 'object', fields: [{ name: 'kind', optional: false, plan: string }, { name: 'side', optional: false, plan: number }] } },
      ],
    } }] }]]],
    ['FilePath and DirPath (also optional: a path string still keys by content)', 'paths', [
      ['file', { kind: 'file' }],
      ['dir', { kind: 'dir' }],
      ['maybeFile', orUndefined({ kind: 'file' }, 'string')],
    ]],
    ['FilePath | DirPath, in either order (also optional): whichever the path is at the call', 'eitherPath', [
      ['either', { kind: 'union', members: [{ test: 'string', plan: { kind: 'path' } }] }],
      ['reversed', { kind: 'union', members: [{ test: 'string', plan: { kind: 'path' } }] }],
      ['maybe', { kind: 'union', members: [{ test: 'undefined', plan: { kind: 'undefined' } }, { test: 'string', plan: { kind: 'path' } }] }],
    ]],
    ['Ignore<T> on parameters (also optional) and on object fields (also optional)', 'ignored', [
      ['x', number],
      ['log', { kind: 'ignore' }],
      ['options', { kind: 'object', fields: [{ name: 'depth', optional: false, plan: number }] }],
      ['progress', { kind: 'ignore' }],
    ]],
    ['class with [keyHook]() (the hook\'s return type)', 'hooked', [['point', { kind: 'hook', result: { kind: 'object', fields: [
      { name: 'x', optional: false, plan: number },
      { name: 'y', optional: false, plan: number },
    ] } }]]],
    ['any, unknown and object', 'opaque', [['a', { kind: 'dynamic' }], ['u', { kind: 'dynamic' }], ['o', { kind: 'dynamic' }]]],
    ['an unresolved generic', 'generic', [['value', { kind: 'dynamic' }]]],
    ['a generic interface instantiated at the declaration (Box<number>)', 'boxed', [['box', { kind: 'object', fields: [
      { name: 'label', optional: false, plan: string },
      { name: 'value', optional: false, plan: number },
    ] }]]],
    ['an interface imported from another file', 'imported', [['page', { kind: 'object', fields: [
      { name: 'depth', optional: true, plan: orUndefined(number, 'number') },
      { name: 'url', optional: false, plan: string },
    ] }]]],
    ['a destructured parameter (named by its pattern)', 'destructured', [['{ name, size }', { kind: 'object', fields: [
      { name: 'name', optional: false, plan: string },
      { name: 'size', optional: false, plan: number },
    ] }]]],
  ])('%s', (_, fn, expected) => {
    expect(paramPlans(fn)).toEqual(expected);
  });

  it('plans a recursive type once, by name, and refers to it from inside itself', () => {
    expect(planOf('sumTree')).toEqual({
      params: [{ name: 'tree', plan: { kind: 'ref', name: 'Tree0' } }],
      named: {
        Tree0: { kind: 'object', fields: [
          { name: 'children', optional: false, plan: { kind: 'array', element: { kind: 'ref', name: 'Tree0' } } },
          { name: 'value', optional: false, plan: number },
        ] },
      },
    });
  });

  it('plans a rest parameter by its element type', () => {
    expect(planOf('rest').params).toEqual([{ name: 'prefix', plan: string }, { name: 'values', rest: true, plan: number }]);
  });

  it('binds constant defaults at build time and keys a computed default\'s absence as undefined', () => {
    expect(planOf('defaults').params).toEqual([
      { name: 'a', plan: number },
      { name: 'b', plan: number, defaultValue: '2' },
      { name: 'label', plan: string, defaultValue: '\'x\'' },
      { name: 'computed', plan: orUndefined(number, 'number') },
    ]);
  });

  it('plans a typed `this:` parameter as the key of the instance, not as a parameter', () => {
    expect(planOf('Counter.total')).toEqual({ params: [{ name: 'n', plan: number }], named: {}, self: { kind: 'hook', result: number } });
  });

  it('lists the files declaring the planned types as dependencies (not the file itself)', () => {
    planOf('imported');
    expect(output!.dependencies).toContain(join(fixtures, 'shared-types.ts'));
    expect(output!.dependencies).not.toContain(file);
  });

  it('warns about nothing when not strict', () => {
    planOf('opaque');
    expect(output!.warnings).toEqual([]);
  });
});

describe('default parameters, by running the generated key code', () => {
  type Writer = (w: KeyWriter, args: unknown[], self: unknown) => void;

  function keyOf(args: unknown[]): string {
    const { preamble, writer } = emitKeyCode(planOf('defaults'), { ns: 'ns', prefix: '__t_' });
    const write = new Function('ns', `${preamble}\nreturn ${writer};`)(runtime) as Writer;
    const w = new KeyWriter();
    write(w, args, undefined);
    return w.digest();
  }

  it('keys f(1) and f(1, 2) alike when 2 is the default', () => {
    expect(keyOf([1])).toBe(keyOf([1, 2]));
    expect(keyOf([1, undefined, 'x'])).toBe(keyOf([1, 2, 'x']));
  });

  it('keys a different second argument differently', () => {
    expect(keyOf([1, 3])).not.toBe(keyOf([1, 2]));
    expect(keyOf([1, 2, 'y'])).not.toBe(keyOf([1, 2, 'x']));
  });

  it('keys a computed default by whether it was passed, not by its value', () => {
    expect(keyOf([1, 2, 'x', 5])).not.toBe(keyOf([1, 2, 'x']));
    expect(keyOf([1, 2, 'x', undefined])).toBe(keyOf([1, 2, 'x']));
  });
});

describe('strict mode', () => {
  let strict: BeautyspotContext | undefined;
  // The one other context of this file: `strict` is a per-build option.
  const strictContext = (): BeautyspotContext => (strict ??= new BeautyspotContext({ root: fixtures, strict: true }));
  const id = join(fixtures, 'inline', 'strict.ts');
  const where = relative(process.cwd(), id);
  const source = [
    'import type { Page } from \'../shared-types.js\';',
    '/** @mark */',
    'export function loose<T>(a: any, u: unknown, t: T, page: Page, missing: NoSuchType): string {',
    '  return String(a) + String(u) + String(t) + page.url + String(missing);',
    '}',
  ].join('\n');

  it('warns, with file:line:col of each parameter, when a parameter is keyed by the dynamic encoder', () => {
    const out = strictContext().transform(source, id)!;
    const fix = 'Give it a concrete type for generated key code';
    expect(out.warnings).toEqual([
      `[beautyspot] ${where}:3:26 loose: parameter a (type any) is keyed by the dynamic encoder (its type is any). ${fix}`,
      `[beautyspot] ${where}:3:34 loose: parameter u (type unknown) is keyed by the dynamic encoder (its type is unknown). ${fix}`,
      `[beautyspot] ${where}:3:46 loose: parameter t (type T) is keyed by the dynamic encoder (its type is a type parameter). ${fix}`,
      `[beautyspot] ${where}:3:64 loose: parameter missing (type NoSuchType) is keyed by the dynamic encoder (its type is any). ${fix}`,
    ]);
  });

  it('still compiles (warnings are not errors) with the same plans as without strict', () => {
    const out = strictContext().transform(source, id)!;
    expect(out.plans['inline/strict.ts#loose']!.params.map(p => p.plan.kind)).toEqual(['dynamic', 'dynamic', 'dynamic', 'object', 'dynamic']);
    expect(out.code).toContain('__beautyspot.markCompiled(');
  });
});
