// Parameter types whose compiled keys used to give different values one key (found by test/reliability/keys.test.ts):
// ArrayBufferView was planned as an object of its fields (the kind lost), SharedArrayBuffer wrote no bytes, and a type
// that declares no fields ({}, Iterable<T>, an object type with only a [keyHook]) was an empty projection.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { keyHook, KeyWriter } from '../../runtime/index.js';
import { loadCompiled, type CompiledFixture } from '../helpers/compile-fixture.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const source = `import { keyHook } from 'beautyspot';
/** @mark */
export function view(v: ArrayBufferView): void {}
/** @mark */
export function shared(v: SharedArrayBuffer): void {}
/** @mark */
export function nonNullish(v: {}): void {}
/** @mark */
export function iterable(v: Iterable<number>): void {}
/** @mark */
export function hooked(v: { [keyHook](): string }): void {}
`;

let compiled: CompiledFixture;

beforeAll(async () => {
  compiled = await loadCompiled(join(fixtures, 'inline', 'plan-keys.ts'), fixtures, source);
});

const planOf = (fn: string): unknown => compiled.output.plans[`inline/plan-keys.ts#${fn}`]!.params[0]!.plan;

function key(fn: string, value: unknown): string {
  const w = new KeyWriter();
  compiled.writer(`inline/plan-keys.ts#${fn}`)(w, [value], undefined);
  return w.view().toString('hex');
}

function sharedBuffer(bytes: number[]): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}

describe('compiled keys of binary types', () => {
  it('ArrayBufferView is binary data: the kind and the viewed bytes count, the rest of the buffer does not', () => {
    expect(planOf('view')).toEqual({ kind: 'binary' });
    expect(key('view', Uint8Array.of(1))).not.toBe(key('view', Int8Array.of(1)));
    expect(key('view', Uint8Array.of(1))).not.toBe(key('view', new DataView(Uint8Array.of(1).buffer)));
    expect(key('view', Buffer.from([1, 2]))).toBe(key('view', Uint8Array.of(1, 2)));
    expect(key('view', new Uint8Array(Uint8Array.of(9, 1, 2).buffer, 1))).toBe(key('view', Uint8Array.of(1, 2)));
  });

  it('SharedArrayBuffer keys its bytes', () => {
    expect(planOf('shared')).toEqual({ kind: 'binary' });
    expect(key('shared', sharedBuffer([1, 2]))).toBe(key('shared', sharedBuffer([1, 2])));
    expect(key('shared', sharedBuffer([1, 2]))).not.toBe(key('shared', sharedBuffer([2, 1])));
    expect(key('shared', sharedBuffer([1, 2]))).not.toBe(key('shared', Uint8Array.of(1, 2).buffer));
  });
});

describe('compiled keys of types that declare no fields', () => {
  it('{} is keyed by the dynamic encoder', () => {
    expect(planOf('nonNullish')).toEqual({ kind: 'dynamic' });
    expect(new Set([1, '1', { a: 1 }, {}, [1]].map(v => key('nonNullish', v))).size).toBe(5);
  });

  it('Iterable<number> is keyed by the dynamic encoder', () => {
    expect(planOf('iterable')).toEqual({ kind: 'dynamic' });
    expect(new Set([[1, 2], [2, 1], new Set([1, 2]), []].map(v => key('iterable', v))).size).toBe(4);
  });

  it('an object type with only a [keyHook]() is keyed by its hook', () => {
    expect(planOf('hooked')).toEqual({ kind: 'dynamic' });
    const hooked = (id: string): unknown => ({ [keyHook]: () => id });
    expect(key('hooked', hooked('a'))).toBe(key('hooked', hooked('a')));
    expect(key('hooked', hooked('a'))).not.toBe(key('hooked', hooked('b')));
  });
});
