import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BeautyspotContext } from '../../plugin/compiler/context.js';
import { BeautyspotBuildError, type Diagnostic } from '../../plugin/compiler/diagnostics.js';

// The sources are strings (not fixture files): most of them do not type-check, on purpose.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
let shared: BeautyspotContext | undefined;
const context = (): BeautyspotContext => (shared ??= new BeautyspotContext({ root: fixtures }));

const idOf = (name: string): string => join(fixtures, 'inline', `diagnostics-${name}.ts`);

/** The build error a source raises (fails the test when it compiles). */
function buildError(name: string, source: string): BeautyspotBuildError {
  try {
    context().transform(source, idOf(name));
  } catch (error) {
    expect(error).toBeInstanceOf(BeautyspotBuildError);
    return error as BeautyspotBuildError;
  }
  throw new Error(`${name} compiled without errors`);
}

/** 1-based line and column of the first occurrence of `needle` (after `after`, when given). */
function locate(source: string, needle: string, after = ''): { line: number; col: number } {
  const index = source.indexOf(needle, after ? source.indexOf(after) : 0);
  if (index < 0) throw new Error(`"${needle}" is not in the source`);
  const before = source.slice(0, index).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

const UNKEYABLE_FIX = 'Wrap the parameter in Ignore<T>, key the function with key=…, or give the class a [keyHook]() method';
const OPTIONS_FIX = 'Options are name=value words after the tag, e.g. @mark version=2 ttl=7d';
const PLACEMENT_FIX = 'Mark a module-level function declaration, a `const f = (…) => …` or a class method';

interface Case {
  name: string;
  source: string;
  message: string;
  fix: string;
  /** The text the diagnostic points at (its first character). */
  at: string;
  /** Search for `at` after this text. */
  after?: string;
  /** The parameter path, for type errors. */
  path?: string;
}

const cases: Case[] = [
  {
    name: 'function-typed parameter',
    source: '/** @mark */\nexport function f(id: string, cb: (x: number) => void): string {\n  return id;\n}\n',
    message: 'f: parameter cb (type (x: number) => void) has a function type, which cannot be keyed',
    fix: UNKEYABLE_FIX,
    at: 'cb:',
    path: 'cb',
  },
  {
    name: 'symbol parameter',
    source: '// beautyspot: mark\nexport const f = (s: symbol): string => String(s);\n',
    message: 'f: parameter s (type symbol) has a symbol type, which cannot be keyed',
    fix: UNKEYABLE_FIX,
    at: 's:',
    path: 's',
  },
  {
    name: 'Promise parameter',
    source: '/** @mark */\nexport async function f(\n  first: string,\n  pending: Promise<number>,\n): Promise<number> {\n  return (await pending) + first.length;\n}\n',
    message: 'f: parameter pending (type Promise<number>) is a Promise, which cannot be keyed; await it and pass the value',
    fix: UNKEYABLE_FIX,
    at: 'pending:',
    path: 'pending',
  },
  {
    name: 'class instance without a key hook',
    source: 'export class Connection {\n  constructor(readonly url: string) {}\n}\n/** @mark */\nexport function query(conn: Connection, sql: string): string {\n  return conn.url + sql;\n}\n',
    message: 'query: parameter conn (type Connection) is an instance of class Connection, which has no [keyHook]() method',
    fix: 'Add `[keyHook]() { return … }` (import { keyHook } from "beautyspot") returning what identifies an instance, wrap the parameter in Ignore<T>, or pass key=…',
    at: 'conn:',
    path: 'conn',
  },
  {
    name: 'WeakMap parameter',
    source: '/** @mark */\nexport function f(cache: WeakMap<object, string>): number {\n  return cache ? 1 : 0;\n}\n',
    message: 'f: parameter cache (type WeakMap<object, string>) is a WeakMap, whose entries cannot be read',
    fix: UNKEYABLE_FIX,
    at: 'cache:',
    path: 'cache',
  },
  {
    name: 'unkeyable nested field',
    source: '/** @mark */\nexport function crawl(url: string, opts: { depth: number; callback: () => void }): string {\n  opts.callback();\n  return url;\n}\n',
    message: 'crawl: parameter opts.callback (type () => void) has a function type, which cannot be keyed',
    fix: UNKEYABLE_FIX,
    at: 'opts:',
    path: 'opts.callback',
  },
  {
    name: 'generator',
    source: '/** @mark */\nexport function* numbers(n: number): Generator<number> {\n  yield n;\n}\n',
    message: 'numbers is a generator, which cannot be cached (its values are produced lazily)',
    fix: 'Collect the values into an array in a normal function and mark that',
    at: 'export function*',
  },
  {
    name: 'async generator',
    source: 'export class Feed {\n  /** @mark */\n  async *items(n: number): AsyncGenerator<number> {\n    yield n;\n  }\n}\n',
    message: 'Feed.items is a generator, which cannot be cached (its values are produced lazily)',
    fix: 'Collect the values into an array in a normal function and mark that',
    at: 'async *items',
  },
  {
    name: 'generator function expression',
    source: '/** @mark */\nexport const numbers = async function* (n: number) {\n  yield n;\n};\n',
    message: 'numbers is a generator, which cannot be cached (its values are produced lazily)',
    fix: 'Collect the values into an array in a normal function and mark that',
    at: 'async function*',
  },
  {
    name: 'overload without a body',
    source: '/** @mark */\nexport function pick(x: string): string;\nexport function pick(x: number): number;\nexport function pick(x: string | number): string | number {\n  return x;\n}\n',
    message: 'pick is an overload signature without a body',
    fix: 'Put the annotation on the implementation',
    at: 'export function pick(x: string)',
  },
  {
    name: 'unknown option',
    source: '/** @mark tll=7d */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'Unknown mark option "tll" (did you mean "ttl"?)',
    fix: OPTIONS_FIX,
    at: 'tll',
  },
  {
    name: 'unknown option in a pragma',
    source: '\n  // beautyspot: mark verison=2\nexport const f = (x: number): number => x;\n',
    message: 'Unknown mark option "verison" (did you mean "version"?)',
    fix: OPTIONS_FIX,
    at: 'verison',
  },
  {
    name: 'unknown option far from any known one',
    source: '/** @mark colour=red */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'Unknown mark option "colour"; known options: version, name, ttl, blob, spot, key, access, cost, limit, codeHash, tags, memory',
    fix: OPTIONS_FIX,
    at: 'colour',
  },
  {
    name: 'event option in an annotation',
    source: '/** @mark onHit=log */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "onHit" takes a function, which an annotation cannot hold; listen from code instead: ' +
      'spot.on("hit", listener, { fn: "<file>#<function>" }) on the function\'s spot (getSpot() for the default one)',
    fix: OPTIONS_FIX,
    at: 'onHit',
  },
  {
    name: 'bad ttl',
    source: '/**\n * Slow.\n * @mark ttl=soon\n */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "ttl" must be a duration like "30s", "10m", "12h" or "7d" (or milliseconds), got "soon"',
    fix: OPTIONS_FIX,
    at: 'ttl=soon',
  },
  {
    name: 'bad access',
    source: '/** @mark access=rw */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "access" must be one of "rew", "r", "ew", "e", "re" (r = read, e = execute, w = write), got "rw"',
    fix: OPTIONS_FIX,
    at: 'access=rw',
  },
  {
    name: 'bad flag value',
    source: '/** @mark blob=yes */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "blob" is true or false, got "yes"',
    fix: OPTIONS_FIX,
    at: 'blob=yes',
  },
  {
    name: 'bad memory size',
    source: '/** @mark memory=lots */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "memory" is a whole number of entries, e.g. memory=1000; got "lots"',
    fix: OPTIONS_FIX,
    at: 'memory=lots',
  },
  {
    name: 'option without a value',
    source: '/** @mark ttl */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "ttl" needs a value: ttl=…',
    fix: OPTIONS_FIX,
    at: 'ttl', after: '@mark',
  },
  {
    name: 'option given twice',
    source: '/** @mark ttl=1h version=2 ttl=2h */\nexport function f(x: number): number {\n  return x;\n}\n',
    message: 'option "ttl" is given twice',
    fix: OPTIONS_FIX,
    at: 'ttl=2h',
  },
  {
    name: 'annotation on a nested function',
    source: 'export function outer(x: number): number {\n  /** @mark */\n  function inner(y: number): number {\n    return y * 2;\n  }\n  return inner(x);\n}\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '@mark',
  },
  {
    name: 'annotation on a nested arrow (pragma)',
    source: 'export function outer(x: number): number {\n  // beautyspot: mark\n  const inner = (y: number) => y * 2;\n  return inner(x);\n}\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '// beautyspot',
  },
  {
    name: 'annotation on an object-literal method',
    source: 'export const api = {\n  /** @mark */\n  get(url: string): string {\n    return url;\n  },\n};\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '@mark',
  },
  {
    name: 'annotation on a class',
    source: '/** @mark */\nexport class Client {\n  get(url: string): string {\n    return url;\n  }\n}\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '@mark',
  },
  {
    name: 'annotation on an arrow in a class property',
    source: 'export class Client {\n  /** @mark */\n  handler = (x: number): number => x;\n}\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '@mark',
  },
  {
    name: 'annotation on an exported default arrow',
    source: '/** @mark */\nexport default (x: number): number => x;\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '@mark',
  },
  {
    name: 'annotation in a namespace',
    source: 'export namespace Tools {\n  // beautyspot: mark\n  export function f(x: number): number {\n    return x;\n  }\n}\n',
    message: 'this annotation is not on a function beautyspot can mark',
    fix: PLACEMENT_FIX,
    at: '// beautyspot',
  },
  {
    name: 'annotation on a method with a computed name',
    source: 'const name = "get";\nexport class Client {\n  /** @mark */\n  [name](x: number): number {\n    return x;\n  }\n}\n',
    message: 'Client.[name]: methods with computed names cannot be marked',
    fix: 'Give the method a plain name',
    at: '[name](',
  },
  {
    name: 'annotation on two functions in one statement',
    source: '/** @mark */\nexport const a = (x: number) => x, b = (x: number) => x + 1;\n',
    message: 'the annotation is on a variable that is not a single function',
    fix: 'Mark `const f = (…) => …` or `const f = function (…) {…}`, one per statement',
    at: 'export const a',
  },
  {
    name: 'annotation on a variable that is not a function',
    source: '/** @mark */\nexport const limit = 10;\n',
    message: 'the annotation is on a variable that is not a single function',
    fix: 'Mark `const f = (…) => …` or `const f = function (…) {…}`, one per statement',
    at: 'export const limit',
  },
  {
    name: 'annotation on a #private method',
    source: 'export class Client {\n  /** @mark */\n  #secret(x: number): number {\n    return x;\n  }\n  run(): number {\n    return this.#secret(1);\n  }\n}\n',
    message: 'Client.#secret: #private methods cannot be marked (the wrapper cannot reach them)',
    fix: 'Use a TypeScript `private` method instead',
    at: '#secret(',
  },
  {
    name: 'annotation on a method of an anonymous class',
    source: 'export default class {\n  /** @mark */\n  static get(x: number): number {\n    return x;\n  }\n}\n',
    message: 'default.get: methods of an anonymous class cannot be marked',
    fix: 'Give the class a name',
    at: 'static get',
  },
  {
    name: 'instance method reading `this` without a `this:` type or key=',
    source: 'export class Client {\n  constructor(readonly base: string) {}\n\n  /** @mark */\n  async get(path: string): Promise<string> {\n    return this.base + path;\n  }\n}\n',
    message: 'Client.get: the method reads `this`, which is not part of its key',
    fix: 'Declare how: a `this: Client` parameter (its class needs a [keyHook]()), `this: Ignore<Client>` if the result does not depend on the instance, or key=…',
    at: 'async get',
    path: 'this',
  },
  {
    name: 'instance method calling super without a `this:` type',
    source: 'class Base {\n  get(path: string): string {\n    return path;\n  }\n}\nexport class Client extends Base {\n  /** @mark */\n  override get(path: string): string {\n    return super.get(path);\n  }\n}\n',
    message: 'Client.get: the method reads `this`, which is not part of its key',
    fix: 'Declare how: a `this: Client` parameter (its class needs a [keyHook]()), `this: Ignore<Client>` if the result does not depend on the instance, or key=…',
    at: 'override get',
    path: 'this',
  },
  {
    name: '`this:` typed with a class that has no key hook',
    source: 'export class Client {\n  constructor(readonly base: string) {}\n  /** @mark */\n  get(this: Client, path: string): string {\n    return this.base + path;\n  }\n}\n',
    message: 'Client.get: parameter this (type Client) is an instance of class Client, which has no [keyHook]() method',
    fix: 'Add `[keyHook]() { return … }` (import { keyHook } from "beautyspot") returning what identifies an instance, wrap the parameter in Ignore<T>, or pass key=…',
    at: 'this: Client',
    path: 'this',
  },
];

describe('each build error says what, how to fix it, and where', () => {
  it.each(cases.map(c => [c.name, c] as const))('%s', (_, c) => {
    const error = buildError(c.name.replace(/\W+/g, '-'), c.source);
    const { line, col } = locate(c.source, c.at, c.after);
    const file = relative(process.cwd(), idOf(c.name.replace(/\W+/g, '-')));
    expect(error.diagnostics).toHaveLength(1);
    const [d] = error.diagnostics as [Diagnostic];
    expect({ message: d.message, fix: d.fix, file: d.file, line: d.line, col: d.col, severity: d.severity })
      .toEqual({ message: c.message, fix: c.fix, file, line, col, severity: 'error' });
    if (c.path) expect(d.path).toBe(c.path);
    expect(error.message).toBe(`[beautyspot] ${file}:${line}:${col} ${c.message}. ${c.fix}`);
  });
});

describe('what compiles', () => {
  it('compiles an instance method that does not read `this`', () => {
    const out = context().transform(
      'export class Client {\n  constructor(readonly base: string) {}\n  /** @mark */\n  join(a: string, b: string): string {\n    const inner = function (this: unknown) { return this; };\n    return a + b + String(inner.call(null));\n  }\n}\n',
      idOf('no-this'),
    );
    expect(out!.plans['inline/diagnostics-no-this.ts#Client.join']).toEqual({
      params: [{ name: 'a', plan: { kind: 'string' } }, { name: 'b', plan: { kind: 'string' } }],
      named: {},
    });
  });

  it('compiles an instance method reading `this` when key= says what to key', () => {
    const out = context().transform(
      'export class Client {\n  constructor(readonly base: string) {}\n  /** @mark key=[this.base, path] */\n  get(path: string): string {\n    return this.base + path;\n  }\n}\n',
      idOf('this-key'),
    );
    expect(out!.plans['inline/diagnostics-this-key.ts#Client.get']!.key).toEqual({ params: 'path: string', expression: '[this.base, path]' });
  });

  it('compiles an instance method reading `this` typed as Ignore<C>', () => {
    const out = context().transform(
      'import type { Ignore } from \'beautyspot\';\nexport class Client {\n  constructor(readonly base: string) {}\n  /** @mark */\n  get(this: Ignore<Client>, path: string): string {\n    return this.base + path;\n  }\n}\n',
      idOf('this-ignored'),
    );
    expect(out!.plans['inline/diagnostics-this-ignored.ts#Client.get']).toEqual({
      params: [{ name: 'path', plan: { kind: 'string' } }],
      named: {},
      self: { kind: 'ignore' },
    });
  });

  it('compiles a static method reading `this` (the class is not keyed)', () => {
    const out = context().transform(
      'export class Client {\n  static base = "x";\n  /** @mark */\n  static get(path: string): string {\n    return this.base + path;\n  }\n}\n',
      idOf('static-this'),
    );
    expect(Object.keys(out!.plans)).toEqual(['inline/diagnostics-static-this.ts#Client.get']);
  });
});

describe('several errors in one file', () => {
  const source = [
    'export class Connection {}', // 1
    '/** @mark tll=7d */', // 2
    'export function a(x: number): number {', // 3
    '  return x;', // 4
    '}', // 5
    '/** @mark */', // 6
    'export function b(conn: Connection, cb: () => void): number {', // 7
    '  /** @mark */', // 8
    '  const inner = (y: number) => y;', // 9
    '  cb();', // 10
    '  return inner(1) + (conn ? 1 : 0);', // 11
    '}', // 12
    '/** @mark ttl=1h */', // 13
    'export function fine(x: number): number {', // 14
    '  return x;', // 15
    '}', // 16
  ].join('\n');

  it('reports all of them in one BeautyspotBuildError, one line each', () => {
    const error = buildError('several', source);
    const at = (d: Diagnostic): string => `${d.line}:${d.col} ${d.message}`;
    expect(error.diagnostics.map(at).sort()).toEqual([
      '2:11 Unknown mark option "tll" (did you mean "ttl"?)',
      '7:19 b: parameter conn (type Connection) is an instance of class Connection, which has no [keyHook]() method',
      '7:37 b: parameter cb (type () => void) has a function type, which cannot be keyed',
      '8:7 this annotation is not on a function beautyspot can mark',
    ]);
    expect(error.message.split('\n')).toHaveLength(4);
    expect(error.name).toBe('BeautyspotBuildError');
  });
});
