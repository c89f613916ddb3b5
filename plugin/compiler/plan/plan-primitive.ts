import { ts, type Type } from 'ts-morph';
import type { KeyPlan } from './key-plan.js';
import type { KindPlanner } from './plan-context.js';

const F = ts.TypeFlags;

/** Flag groups whose every member keys the same way; a union of one group (`'a' | 'b'`, an enum) is that kind. */
const GROUPS: [number, KeyPlan][] = [
  [F.StringLike, { kind: 'string' }],
  [F.NumberLike, { kind: 'number' }],
  [F.BooleanLike, { kind: 'boolean' }],
  [F.BigIntLike, { kind: 'bigint' }],
  [F.Null, { kind: 'null' }],
  [F.Undefined | F.Void, { kind: 'undefined' }],
];

/** Strings, numbers, booleans, bigints, null and undefined — with their literals, enums and template literals. */
export const planPrimitive: KindPlanner = type => {
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  for (const [flags, plan] of GROUPS) {
    if (members.every(member => (member.getFlags() & flags) !== 0)) return plan;
  }
  return undefined;
};

/** The `typeof`-style category a union member is told apart by at run time. */
export function primitiveCategory(type: Type): 'string' | 'number' | 'boolean' | 'bigint' | 'null' | 'undefined' | undefined {
  // A branded primitive (`FilePath` is `string & { … }`) is told apart by its primitive's typeof.
  if (type.isIntersection()) return type.getIntersectionTypes().map(primitiveCategory).find(c => c !== undefined);
  const flags = type.getFlags();
  if (flags & F.StringLike) return 'string';
  if (flags & F.NumberLike) return 'number';
  if (flags & F.BooleanLike) return 'boolean';
  if (flags & F.BigIntLike) return 'bigint';
  if (flags & F.Null) return 'null';
  if (flags & (F.Undefined | F.Void)) return 'undefined';
  return undefined;
}

/** Types nothing is known about: the dynamic encoder keys them. */
export const planOpaque: KindPlanner = (type, path, ctx) => {
  const flags = type.getFlags();
  if (flags & F.Any) return ctx.dynamic(path, type, 'its type is any');
  if (flags & F.Unknown) return ctx.dynamic(path, type, 'its type is unknown');
  if (flags & F.TypeParameter) return ctx.dynamic(path, type, 'its type is a type parameter');
  if (flags & F.NonPrimitive) return ctx.dynamic(path, type, 'its type is object');
  if (flags & F.Never) return ctx.dynamic(path, type, 'its type is never');
  return undefined;
};

/** Functions and symbols have no value to key. */
export const planUnkeyable: KindPlanner = (type, path, ctx) => {
  if (type.getFlags() & F.ESSymbolLike) return ctx.fail(path, type, 'has a symbol type, which cannot be keyed');
  if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) {
    return ctx.fail(path, type, 'has a function type, which cannot be keyed');
  }
  return undefined;
};
