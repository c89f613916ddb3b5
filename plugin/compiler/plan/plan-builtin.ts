import type { Symbol as MorphSymbol, Type } from 'ts-morph';
import type { KeyPlan } from './key-plan.js';
import type { KindPlanner } from './plan-context.js';

const BINARY = new Set(['Uint8Array', 'Int8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Buffer', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'ArrayBufferView']);

const NOT_A_VALUE: Record<string, string> = {
  Promise: 'is a Promise, which cannot be keyed; await it and pass the value',
  PromiseLike: 'is a Promise, which cannot be keyed; await it and pass the value',
  WeakMap: 'is a WeakMap, whose entries cannot be read',
  WeakSet: 'is a WeakSet, whose members cannot be read',
  WeakRef: 'is a WeakRef, which cannot be keyed',
};

/** A symbol declared by the standard library or @types (not by the project). */
export function isLibrarySymbol(symbol: MorphSymbol | undefined): boolean {
  const declarations = symbol?.getDeclarations() ?? [];
  return declarations.length > 0 && declarations.every(d => {
    const file = d.getSourceFile();
    return file.isDeclarationFile() && (file.isInNodeModules() || file.isFromExternalLibrary() || /[\\/]lib\.[\w.]+\.d\.ts$/.test(file.getFilePath()));
  });
}

/** Date, RegExp, binary data, Map, Set, arrays and tuples from the standard library. */
export const planBuiltin: KindPlanner = (type, path, ctx) => {
  if (type.isTuple()) {
    const elements = type.getTupleElements();
    return { kind: 'tuple', elements: elements.map((element, i) => ctx.plan(element, `${path}[${i}]`)) };
  }
  if (type.isArray() || type.isReadonlyArray()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    return { kind: 'array', element: element ? ctx.plan(element, `${path}[]`) : { kind: 'dynamic' } };
  }
  const symbol = type.getSymbol();
  if (!isLibrarySymbol(symbol)) return undefined;
  const name = symbol!.getName();
  if (name === 'Date') return { kind: 'date' };
  if (name === 'RegExp') return { kind: 'regexp' };
  if (BINARY.has(name)) return { kind: 'binary' };
  if (NOT_A_VALUE[name]) return ctx.fail(path, type, NOT_A_VALUE[name]!);
  const [first, second] = typeArguments(type);
  if (name === 'Map' || name === 'ReadonlyMap') {
    return { kind: 'map', key: plan(ctx, first, `${path}.key`), value: plan(ctx, second, `${path}.get(…)`) };
  }
  if (name === 'Set' || name === 'ReadonlySet') return { kind: 'set', element: plan(ctx, first, `${path}.member`) };
  return undefined;
};

function typeArguments(type: Type): Type[] {
  const args = type.getTypeArguments();
  return args.length > 0 ? args : type.getAliasTypeArguments();
}

function plan(ctx: Parameters<KindPlanner>[2], type: Type | undefined, path: string): KeyPlan {
  return type ? ctx.plan(type, path) : { kind: 'dynamic' };
}
