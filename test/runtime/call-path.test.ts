import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it, expect, expectTypeOf } from 'vitest';
import { keyHook, Spot, UnkeyableValueError } from '../../runtime/index.js';
import { tempDir, tempSpot } from '../helpers/temp-spot.js';

const repo = resolve(import.meta.dirname, '..', '..');
const runtimeUrl = pathToFileURL(join(repo, 'dist', 'runtime', 'index.js')).href;

/** A body that counts its executions. */
function counting<A extends unknown[], R>(body: (...args: A) => R): { fn: (...args: A) => R; runs: () => number } {
  let runs = 0;
  return {
    fn: (...args: A) => {
      runs++;
      return body(...args);
    },
    runs: () => runs,
  };
}

describe('hits and misses', () => {
  it('a second call with the same arguments returns the stored value without running the body', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number) => ({ doubled: x * 2, at: Math.random() }));
    const f = spot.mark(fn, { name: 'double' });
    const first = f(21);
    const second = f(21);
    expect(second).toEqual(first);
    expect(second.doubled).toBe(42);
    expect(runs()).toBe(1);
  });

  it('different arguments run the body again', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number, y: number) => x + y);
    const f = spot.mark(fn, { name: 'add' });
    expect(f(1, 2)).toBe(3);
    expect(f(2, 1)).toBe(3);
    expect(f(1, 3)).toBe(4);
    expect(runs()).toBe(3);
    expect(f(1, 2)).toBe(3);
    expect(runs()).toBe(3);
  });

  it('trailing undefined arguments are one entry: f(1) and f(1, undefined) share it', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number, y?: number) => x + (y ?? 10));
    const f = spot.mark(fn, { name: 'optional' });
    expect(f(1)).toBe(11);
    expect(f(1, undefined)).toBe(11);
    expect(runs()).toBe(1);
    expect(spot.entries()).toHaveLength(1);
  });

  it('a version change is a miss, the same version a hit', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number) => x + 1);
    expect(spot.cachedRun(fn, { name: 'inc', version: 1 })(1)).toBe(2);
    expect(spot.cachedRun(fn, { name: 'inc', version: 1 })(1)).toBe(2);
    expect(runs()).toBe(1);
    expect(spot.cachedRun(fn, { name: 'inc', version: 2 })(1)).toBe(2);
    expect(runs()).toBe(2);
  });

  it('the key option keys on its value only: arguments differing in an ignored part hit', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((query: string, log: { lines: string[] }) => {
      log.lines.push(query);
      return query.toUpperCase();
    });
    const f = spot.mark(fn, { name: 'search', key: query => query });
    expect(f('abc', { lines: [] })).toBe('ABC');
    expect(f('abc', { lines: ['other', 'logger'] })).toBe('ABC');
    expect(runs()).toBe(1);
    expect(f('xyz', { lines: [] })).toBe('XYZ');
    expect(runs()).toBe(2);
    expect(spot.entries({ fn: 'search' })[0]!.args.map(([name]) => name)).toEqual(['key']);
  });

  it('a class instance without a keyHook as an argument throws UnkeyableValueError and the body does not run', async () => {
    const spot = tempSpot();
    class Connection {
      constructor(readonly url: string) {}
    }
    const sync = counting((c: Connection) => c.url);
    const f = spot.mark(sync.fn, { name: 'connect' });
    expect(() => f(new Connection('db://a'))).toThrow(UnkeyableValueError);
    expect(() => f(new Connection('db://a'))).toThrow('argument 1 cannot be keyed: it is an instance of Connection, which has no [keyHook]() method');
    expect(sync.runs()).toBe(0);

    let asyncRuns = 0;
    const g = spot.mark(async (n: number, c: Connection) => `${c.url}/${n}/${++asyncRuns}`, { name: 'connectAsync' });
    await expect(g(1, new Connection('db://b'))).rejects.toThrow(UnkeyableValueError);
    await expect(g(1, new Connection('db://b'))).rejects.toThrow('argument 2 cannot be keyed');
    expect(asyncRuns).toBe(0);
  });

  it('a class instance with a keyHook is keyed by what the hook returns', () => {
    const spot = tempSpot();
    class User {
      constructor(readonly id: number, readonly session: number) {}
      [keyHook]() {
        return { id: this.id };
      }
    }
    const { fn, runs } = counting((u: User) => `user ${u.id}`);
    const f = spot.mark(fn, { name: 'greet' });
    expect(f(new User(1, 100))).toBe('user 1');
    expect(f(new User(1, 200))).toBe('user 1');
    expect(runs()).toBe(1);
    expect(f(new User(2, 100))).toBe('user 2');
    expect(runs()).toBe(2);
  });
});

describe('sync and async', () => {
  it('a marked sync function stays sync: hits and misses return values, not promises', () => {
    const spot = tempSpot();
    const f = spot.mark((x: number) => x * 3, { name: 'triple' });
    const miss = f(2);
    const hit = f(2);
    expect(miss).toBe(6);
    expect(hit).toBe(6);
    expect(hit as unknown).not.toBeInstanceOf(Promise);
  });

  it('a marked async function returns a Promise on hits too', async () => {
    const spot = tempSpot();
    let runs = 0;
    const f = spot.mark(async (x: number) => (runs++, x * 3), { name: 'tripleAsync' });
    const miss = f(2);
    expect(miss).toBeInstanceOf(Promise);
    expect(await miss).toBe(6);
    const hit = f(2);
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toBe(6);
    expect(runs).toBe(1);
  });

  it('a plain function that returns a promise gets a promise on hits, resolved to the stored value', async () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number) => Promise.resolve(x + 0.5));
    const f = spot.mark(fn, { name: 'promising' });
    expect(await f(1)).toBe(1.5);
    const hit = f(1);
    expect(hit).toBeInstanceOf(Promise);
    expect(await hit).toBe(1.5);
    expect(runs()).toBe(1);
  });

  it('concurrent async calls with one key run the body once and all get the value', async () => {
    const spot = tempSpot();
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    let runs = 0;
    const f = spot.mark(async (x: number) => {
      runs++;
      await gate;
      return { x, token: Math.random() };
    }, { name: 'slow' });
    const calls = Array.from({ length: 10 }, () => f(7));
    release();
    const results = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(new Set(results.map(r => r.token)).size).toBe(1);
    expect(results[0]!.x).toBe(7);
    expect(spot.stats().misses).toBe(1);
  });
});

describe('failures of the body', () => {
  it('a thrown exception is not cached: the next call runs the body again', () => {
    const spot = tempSpot();
    let fail = true;
    const { fn, runs } = counting((x: number) => {
      if (fail) throw new RangeError(`bad ${x}`);
      return x;
    });
    const f = spot.mark(fn, { name: 'flaky' });
    expect(() => f(1)).toThrow(RangeError);
    expect(() => f(1)).toThrow('bad 1');
    expect(runs()).toBe(2);
    fail = false;
    expect(f(1)).toBe(1);
    expect(f(1)).toBe(1);
    expect(runs()).toBe(3);
  });

  it('a rejection of an async function is not cached', async () => {
    const spot = tempSpot();
    let fail = true;
    let runs = 0;
    const f = spot.mark(async (x: number) => {
      runs++;
      if (fail) throw new Error(`down ${x}`);
      return x;
    }, { name: 'flakyAsync' });
    await expect(f(1)).rejects.toThrow('down 1');
    fail = false;
    expect(await f(1)).toBe(1);
    expect(await f(1)).toBe(1);
    expect(runs).toBe(2);
    expect(spot.entries()).toHaveLength(1);
  });

  it('concurrent callers of a rejecting call all get the rejection, and a later call runs again', async () => {
    const spot = tempSpot();
    let release!: () => void;
    const gate = new Promise<void>(r => (release = r));
    let fail = true;
    let runs = 0;
    const f = spot.mark(async (x: number) => {
      runs++;
      await gate;
      if (fail) throw new Error(`timeout ${x}`);
      return x;
    }, { name: 'sharedFailure' });
    const calls = Array.from({ length: 5 }, () => f(3));
    release();
    const settled = await Promise.allSettled(calls);
    expect(runs).toBe(1);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(Error);
      expect((s as PromiseRejectedResult).reason.message).toBe('timeout 3');
    }
    fail = false;
    expect(await f(3)).toBe(3);
    expect(runs).toBe(2);
  });
});

describe('the wrapper', () => {
  it('keeps the name and length of the function', () => {
    const spot = tempSpot();
    function combine(a: string, b: string, c: string): string {
      return a + b + c;
    }
    const f = spot.mark(combine);
    expect(f.name).toBe('combine');
    expect(f.length).toBe(3);
    const g = spot.mark(async function fetchThing(url: string) {
      return url;
    });
    expect(g.name).toBe('fetchThing');
    expect(g.length).toBe(1);
  });

  it('keys the receiver of a cachedRun function that reads this: two receivers never share an entry', () => {
    const spot = tempSpot();
    let runs = 0;
    const scale = spot.cachedRun(function scale(this: { factor: number }, x: number) {
      runs++;
      return this.factor * x;
    });
    expect(scale.call({ factor: 2 }, 5)).toBe(10);
    expect(scale.call({ factor: 3 }, 5)).toBe(15);
    expect(scale.call({ factor: 2 }, 5)).toBe(10);
    expect(runs).toBe(2);
  });

  it('a receiver that cannot be keyed is an error naming this and the fix, unless a key option says what counts', () => {
    const spot = tempSpot();
    const scaler = {
      factor: 3,
      scale: spot.cachedRun(function scale(this: { factor: number }, x: number) {
        return this.factor * x;
      }),
      keyed: spot.cachedRun(function keyed(this: { factor: number }, x: number) {
        return this.factor * x;
      }, { key(this: { factor: number }, x: number) { return [this.factor, x]; } }),
    };
    expect(() => scaler.scale(2)).toThrow(UnkeyableValueError);
    expect(() => scaler.scale(2)).toThrow(/\[beautyspot\] this\.\w+ cannot be keyed: it is a function\. Leave it out with a key option/);
    expect(scaler.keyed(2)).toBe(6);
    scaler.factor = 4;
    expect(scaler.keyed(2)).toBe(8);
  });

  it('a function that never reads this ignores its receiver', () => {
    const spot = tempSpot();
    let runs = 0;
    const api = { double: spot.cachedRun(function double(x: number) { runs++; return 2 * x; }) };
    expect(api.double(2)).toBe(4);
    expect(api.double.call({ other: 1 }, 2)).toBe(4);
    expect(runs).toBe(1);
  });

  it('cachedRun caches like mark', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((s: string) => s.length);
    const length = spot.cachedRun(fn, { name: 'length' });
    expect(length('abc')).toBe(3);
    expect(length('abc')).toBe(3);
    expect(runs()).toBe(1);
    expect(spot.entries()[0]!.fn).toBe('length');
  });

  it('rejects generator functions with a TypeError naming the function', () => {
    const spot = tempSpot();
    function* numbers() {
      yield 1;
    }
    async function* pages() {
      yield 1;
    }
    expect(() => spot.mark(numbers)).toThrow(TypeError);
    expect(() => spot.mark(numbers)).toThrow('numbers is a generator, which cannot be cached');
    expect(() => spot.mark(pages)).toThrow(TypeError);
    expect(() => spot.mark(pages)).toThrow('pages is a generator, which cannot be cached');
    expect(() => spot.cachedRun(pages)).toThrow('pages is a generator');
  });

  it('an anonymous function asks for a name on its first call', () => {
    const spot = tempSpot();
    const call = () => spot.mark((x: number) => x)(1);
    expect(call).toThrow(TypeError);
    // every anonymous function gets this error, not only the first one marked in the spot
    expect(call).toThrow('an anonymous function needs a name to be cached: mark(fn, { name: "…" })');
    expect(spot.mark((x: number) => x + 1, { name: 'named' })(1)).toBe(2);
  });

  it('two closures of one source in one spot: the second one\'s first call throws, whatever the spot', () => {
    for (const spot of [tempSpot(), tempSpot({}, 'api')]) {
      const make = (k: number) => spot.mark(function scale(x: number) { return x * k; });
      expect(make(2)(5)).toBe(10);
      expect(() => make(3)(5)).toThrow(TypeError);
      expect(() => make(3)(5)).toThrow(`two different functions are cached as "scale" in spot "${spot.name}" with the same source and version`);
      expect(() => make(3)(5)).toThrow('Give each a distinct name option');
    }
  });

  it('two functions with one name but different sources or versions keep apart without an error', () => {
    const spot = tempSpot();
    expect(spot.mark((x: number) => x, { name: 'f' })(1)).toBe(1);
    expect(spot.mark((x: number) => -x, { name: 'f' })(1)).toBe(-1);
    const a = (x: number) => x * 10;
    const b = (x: number) => x * 10;
    expect(spot.mark(a, { name: 'g', version: 1 })(1)).toBe(10);
    expect(spot.mark(b, { name: 'g', version: 2 })(1)).toBe(10);
    expect(() => spot.mark((x: number) => x, { name: 'h', codeHash: false })(1)).not.toThrow();
    expect(() => spot.mark((x: number) => -x, { name: 'h', codeHash: false })(1)).toThrow('two different functions are cached as "h"');
  });

  it('marking the same function twice is fine and shares its entries', () => {
    const spot = tempSpot();
    const { fn, runs } = counting((x: number) => x * x);
    const a = spot.mark(fn, { name: 'square' });
    const b = spot.mark(fn, { name: 'square' });
    expect(a(4)).toBe(16);
    expect(b(4)).toBe(16);
    expect(runs()).toBe(1);
  });
});

describe('code changes', () => {
  it('an edited body under the same name is a miss in the next session; with codeHash: false it is a hit', () => {
    const dir = tempDir();
    const before = (x: number) => `v1:${x}`;
    const after = (x: number) => `v2:${x}`;

    const first = new Spot('edits', { dir });
    expect(first.mark(before, { name: 'f' })(1)).toBe('v1:1');
    expect(first.mark(before, { name: 'g', codeHash: false })(1)).toBe('v1:1');
    first.close();

    const second = new Spot('edits', { dir });
    try {
      expect(second.mark(after, { name: 'f' })(1)).toBe('v2:1');
      expect(second.mark(after, { name: 'g', codeHash: false })(1)).toBe('v1:1');
    } finally {
      second.close();
    }
  });

  it('an unchanged body under the same name is a hit in the next session', () => {
    const dir = tempDir();
    const first = new Spot('same', { dir });
    const { fn, runs } = counting((x: number) => x + 1);
    expect(first.mark(fn, { name: 'inc' })(1)).toBe(2);
    first.close();
    const second = new Spot('same', { dir });
    try {
      expect(second.mark(fn, { name: 'inc' })(1)).toBe(2);
      expect(runs()).toBe(1);
    } finally {
      second.close();
    }
  });
});

/**
 * Decorators: vitest's transform (oxc) does not lower TS 5 standard decorators in test files, so these tests
 * apply `spot.mark` by hand with the context a standard decorator receives. The real `@spot.mark` syntax is
 * compiled with tsc in "decorator syntax compiled by tsc" below.
 */
function decorate(target: object, name: string, isStatic: boolean, decorator: (method: any, context: ClassMethodDecoratorContext) => any): void {
  const method = (target as Record<string, unknown>)[name];
  const context = {
    kind: 'method', name, static: isStatic, private: false,
    access: { has: (o: object) => name in o, get: (o: any) => o[name] },
    addInitializer: () => undefined, metadata: {},
  } as unknown as ClassMethodDecoratorContext;
  Object.defineProperty(target, name, { value: decorator(method, context), writable: true, configurable: true });
}

describe('the method decorator form (applied by hand)', () => {
  it('an instance method keys this through its keyHook', () => {
    const spot = tempSpot();
    let runs = 0;
    class Scaler {
      constructor(readonly factor: number) {}
      [keyHook]() {
        return this.factor;
      }
      scale(x: number): number {
        runs++;
        return this.factor * x;
      }
    }
    decorate(Scaler.prototype, 'scale', false, spot.mark.bind(spot));
    expect(new Scaler(2).scale(5)).toBe(10);
    expect(new Scaler(2).scale(5)).toBe(10);
    expect(runs).toBe(1);
    expect(new Scaler(3).scale(5)).toBe(15);
    expect(runs).toBe(2);
    expect(spot.entries()[0]!.fn).toBe('Scaler.scale');
  });

  it('an instance method whose class has no keyHook throws UnkeyableValueError (rejects when async)', async () => {
    const spot = tempSpot();
    let runs = 0;
    class Plain {
      twice(x: number): number {
        runs++;
        return 2 * x;
      }
      async later(x: number): Promise<number> {
        runs++;
        return x;
      }
    }
    decorate(Plain.prototype, 'twice', false, spot.mark.bind(spot));
    decorate(Plain.prototype, 'later', false, spot.mark.bind(spot));
    expect(() => new Plain().twice(1)).toThrow(UnkeyableValueError);
    expect(() => new Plain().twice(1)).toThrow('this cannot be keyed: it is an instance of Plain');
    await expect(new Plain().later(1)).rejects.toThrow(UnkeyableValueError);
    expect(runs).toBe(0);
  });

  it('a static method does not key this', () => {
    const spot = tempSpot();
    let runs = 0;
    class MathOps {
      static twice(x: number): number {
        runs++;
        return 2 * x;
      }
    }
    decorate(MathOps, 'twice', true, spot.mark.bind(spot));
    expect(MathOps.twice(4)).toBe(8);
    expect(MathOps.twice(4)).toBe(8);
    expect(runs).toBe(1);
    expect(spot.entries()[0]!.fn).toBe('MathOps.twice');
  });

  it('the options form mark({ version }) returns a decorator that applies the options', () => {
    const spot = tempSpot();
    let runs = 0;
    const make = (version: number) => {
      class Calc {
        static twice(x: number): number {
          runs++;
          return 2 * x;
        }
      }
      decorate(Calc, 'twice', true, spot.mark({ version }));
      return Calc;
    };
    const v2 = make(2);
    expect(v2.twice(1)).toBe(2);
    expect(v2.twice(1)).toBe(2);
    expect(runs).toBe(1);
    expect(make(3).twice(1)).toBe(2);
    expect(runs).toBe(2);
    // Another class of one source and version would share entries: refused.
    expect(() => make(2).twice(1)).toThrow('two different functions are cached as "Calc.twice"');
  });

  it('mark as a decorator of something other than a method throws', () => {
    const spot = tempSpot();
    const context = { kind: 'getter', name: 'size', static: false } as unknown as ClassMethodDecoratorContext;
    expect(() => spot.mark(() => 1, context)).toThrow(TypeError);
    expect(() => spot.mark(() => 1, context)).toThrow('@mark decorates methods, not getters (size)');
    expect(() => spot.mark({ version: 1 })(() => 1, context)).toThrow('@mark decorates methods, not getters (size)');
  });
});

describe('types', () => {
  it('mark and cachedRun return the type of the function they wrap', () => {
    const spot = tempSpot();
    const sync = (a: string, b?: number): string => a + String(b);
    const async = async (url: URL): Promise<{ status: number }> => ({ status: url.href.length });
    function identity<T>(x: T): T {
      return x;
    }
    function overloaded(x: string): string;
    function overloaded(x: number): number;
    function overloaded(x: string | number): string | number {
      return x;
    }
    expectTypeOf(spot.mark(sync)).toEqualTypeOf<typeof sync>();
    expectTypeOf(spot.mark(async)).toEqualTypeOf<typeof async>();
    // Bound to a const first: inline in expectTypeOf(…), its contextual type would instantiate T.
    const markedIdentity = spot.mark(identity);
    expectTypeOf(markedIdentity).toEqualTypeOf<typeof identity>();
    expectTypeOf(spot.mark(overloaded)).toEqualTypeOf<typeof overloaded>();
    expectTypeOf(spot.cachedRun(async, { ttl: '1d' })).toEqualTypeOf<typeof async>();
    expectTypeOf(markedIdentity<number>).parameter(0).toEqualTypeOf<number>();
    // The key option sees the function's parameter types.
    spot.mark(sync, { key: (a, b) => (expectTypeOf(a).toEqualTypeOf<string>(), expectTypeOf(b).toEqualTypeOf<number | undefined>(), a) });
    expect(markedIdentity('x')).toBe('x');
  });
});

describe('across processes', () => {
  const script = `
import { Spot } from ${JSON.stringify(runtimeUrl)};
const spot = new Spot('proc');
let runs = 0;
const square = spot.mark(function square(x) { runs++; return { x, sq: x * x, token: Math.random() }; });
const fetchish = spot.mark(async function fetchish(x) { runs++; return { x, token: Math.random() }; });
const results = [];
for (let i = 0; i < 5; i++) results.push(square(i));
results.push(await Promise.all([1, 2, 3].map(fetchish)));
console.log(JSON.stringify({ runs, results }));
`;
  const stats = `
import { Spot } from ${JSON.stringify(runtimeUrl)};
const spot = new Spot('proc');
console.log(JSON.stringify({ stored: spot.stats().stored, entries: spot.entries().length }));
spot.close();
`;

  function run(dir: string, file: string, env: Record<string, string> = {}): { out: string; err: string } {
    const { BEAUTYSPOT_ACCESS: _, BEAUTYSPOT_SUMMARY: __, ...rest } = process.env;
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...rest, BEAUTYSPOT_DIR: dir, ...env } });
    expect(child.status, child.stderr).toBe(0);
    return { out: child.stdout, err: child.stderr };
  }

  it('a second process is served from the cache, and the hit counts are flushed at exit', () => {
    const dir = tempDir();
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script);
    const first = JSON.parse(run(dir, file).out);
    expect(first.runs).toBe(8);
    const second = JSON.parse(run(dir, file).out);
    expect(second.runs).toBe(0);
    expect(second.results).toEqual(first.results);

    const statsFile = join(dir, 'stats.mjs');
    writeFileSync(statsFile, stats);
    const third = JSON.parse(run(dir, statsFile).out);
    expect(third.stored.entries).toBe(8);
    expect(third.stored.hits).toBe(8);
    expect(third.entries).toBe(8);
  });

  it('BEAUTYSPOT_SUMMARY=1 prints a summary line with the hit and miss counts on stderr at exit', () => {
    const dir = tempDir();
    const file = join(dir, 'run.mjs');
    writeFileSync(file, script);
    const first = run(dir, file, { BEAUTYSPOT_SUMMARY: '1' });
    expect(first.err).toMatch(/^\[beautyspot\] proc: 0 hits, 8 misses, \d+ B written, saved \d+ ms\n$/);
    const second = run(dir, file, { BEAUTYSPOT_SUMMARY: '1' });
    expect(second.err).toMatch(/^\[beautyspot\] proc: 8 hits, 0 misses, 0 B written, saved /);
    const quiet = run(dir, file);
    expect(quiet.err).toBe('');
  });

  it('the @spot.mark decorator syntax compiled by tsc caches methods', () => {
    const dir = tempDir();
    const source = `
import { Spot, keyHook } from ${JSON.stringify(join(repo, 'dist', 'runtime', 'index.js'))};
declare const console: { log(...args: unknown[]): void };
const spot = new Spot('decorated');
let runs = 0;
class Scaler {
  constructor(readonly factor: number) {}
  [keyHook]() { return this.factor; }
  @spot.mark scale(x: number): number { runs++; return this.factor * x; }
  @spot.mark({ version: 2 }) static twice(x: number): number { runs++; return 2 * x; }
}
const results = [new Scaler(2).scale(5), new Scaler(2).scale(5), new Scaler(3).scale(5), Scaler.twice(4), Scaler.twice(4)];
console.log(JSON.stringify({ runs, results, fns: spot.entries().map(e => e.fn).sort() }));
spot.close();
`;
    writeFileSync(join(dir, 'decorated.mts'), source);
    execFileSync(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '--target', 'ES2022', '--module', 'nodenext',
      '--strict', '--skipLibCheck', '--types', '', join(dir, 'decorated.mts')], { cwd: dir, encoding: 'utf8' });
    const { out } = run(dir, join(dir, 'decorated.mjs'));
    expect(JSON.parse(out)).toEqual({ runs: 3, results: [10, 10, 15, 8, 8], fns: ['Scaler.scale', 'Scaler.scale', 'Scaler.twice'] });
  });
});
