import type { Type } from 'ts-morph';
import type { KeyPlan, UnionMember } from './key-plan.js';
import type { KindPlanner, PlanContext } from './plan-context.js';
import { hasBrand } from './plan-brand.js';
import { primitiveCategory } from './plan-primitive.js';

type Category = UnionMember['test'];

/** Tests in the order the generated code tries them (null/undefined before `typeof … === 'object'`, arrays before objects). */
const ORDER: Category[] = ['null', 'undefined', 'string', 'number', 'boolean', 'bigint', 'array', 'object'];

/**
 * Unions: a discriminated union of objects switches on its literal property; any other union switches on
 * `typeof`, and a category with several different members (two object types) is keyed dynamically.
 */
export const planUnion: KindPlanner = (type, path, ctx) => {
  if (!type.isUnion()) return undefined;
  const members = mergeBooleans(type.getUnionTypes());
  const objects = members.filter(m => category(m) === 'object');
  const discriminated = objects.length > 1 && objects.length === members.filter(m => !isNullish(m)).length
    ? planDiscriminated(objects, path, ctx)
    : undefined;
  const groups = new Map<Category, Type[]>();
  for (const member of members) {
    const c = category(member);
    groups.set(c, [...(groups.get(c) ?? []), member]);
  }
  const result: UnionMember[] = [];
  for (const test of ORDER) {
    const group = groups.get(test);
    if (!group) continue;
    if (test === 'object' && discriminated) result.push({ test, plan: discriminated });
    // Every member of these groups keys the same way at run time, except a branded path, which must win
    // (both brands: the path's kind decides at the call).
    else if (test === 'string' && group.some(isFile) && group.some(isDir)) result.push({ test, plan: { kind: 'path' } });
    else if (group.length === 1 || test === 'string' || test === 'number' || test === 'bigint') result.push({ test, plan: ctx.plan(group.find(isPath) ?? group[0]!, path) });
    else result.push({ test, plan: ctx.dynamic(path, type, `it is a union of several ${test} types`) });
  }
  return { kind: 'union', members: result };
};

function category(type: Type): Category {
  return primitiveCategory(type) ?? (type.isArray() || type.isReadonlyArray() || type.isTuple() ? 'array' : 'object');
}

function isFile(type: Type): boolean {
  return hasBrand(type, 'fileBrand');
}

function isDir(type: Type): boolean {
  return hasBrand(type, 'dirBrand');
}

function isPath(type: Type): boolean {
  return isFile(type) || isDir(type);
}

function isNullish(type: Type): boolean {
  const c = primitiveCategory(type);
  return c === 'null' || c === 'undefined';
}

/** `true | false` inside a wider union is one boolean member. */
function mergeBooleans(members: Type[]): Type[] {
  const booleans = members.filter(m => primitiveCategory(m) === 'boolean');
  return booleans.length > 1 ? [...members.filter(m => primitiveCategory(m) !== 'boolean'), booleans[0]!] : members;
}

/** A property every object member has with distinct literal types: switch on it. */
function planDiscriminated(objects: Type[], path: string, ctx: PlanContext): KeyPlan | undefined {
  const names = objects[0]!.getProperties().map(p => p.getName()).sort();
  for (const name of names) {
    const valuesOf = objects.map(member => {
      const property = member.getProperty(name);
      return property ? literalValues(property.getTypeAtLocation(ctx.location)) : undefined;
    });
    const all = valuesOf.flatMap(values => values ?? []);
    if (valuesOf.some(values => values === undefined) || new Set(all).size !== all.length) continue;
    return {
      kind: 'discriminated',
      property: name,
      cases: objects.map((member, i) => ({ values: valuesOf[i]!, plan: ctx.plan(member, path) })),
    };
  }
  return undefined;
}

function literalValues(type: Type): (string | number | boolean)[] | undefined {
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  const values: (string | number | boolean)[] = [];
  for (const member of members) {
    if (member.isStringLiteral() || member.isNumberLiteral()) values.push(member.getLiteralValue() as string | number);
    else if (member.isBooleanLiteral()) values.push(member.getText() === 'true');
    else return undefined;
  }
  return values;
}
