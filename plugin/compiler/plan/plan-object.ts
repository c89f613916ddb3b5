import { Node, ts } from 'ts-morph';
import type { FieldPlan } from './key-plan.js';
import type { KindPlanner } from './plan-context.js';

/** A class instance keys through its `[keyHook]()` method; without one it cannot be keyed. */
export const planClass: KindPlanner = (type, path, ctx) => {
  const symbol = type.getSymbol();
  if (!type.isClass() && !symbol?.getDeclarations().some(d => Node.isClassDeclaration(d) || Node.isClassExpression(d))) return undefined;
  const hook = type.getProperties().find(p => p.getName().startsWith('__@keyHook@'));
  const signature = hook?.getTypeAtLocation(ctx.location).getCallSignatures()[0];
  if (!signature) {
    return ctx.fail(path, type, `is an instance of class ${symbol?.getName() ?? '(anonymous)'}, which has no [keyHook]() method`,
      'Add `[keyHook]() { return … }` (import { keyHook } from "beautyspot") returning what identifies an instance, wrap the parameter in Ignore<T>, or pass key=…');
  }
  return { kind: 'hook', result: ctx.plan(signature.getReturnType(), `${path}[keyHook]()`) };
};

/** Interfaces and object literal types by their declared fields (sorted); records and index signatures by every key. */
export const planObject: KindPlanner = (type, path, ctx) => {
  if (!type.isObject()) return undefined;
  const properties = type.getProperties().filter(p => !p.getName().startsWith('__@'));
  const index = type.getStringIndexType() ?? type.getNumberIndexType();
  if (index) return { kind: 'record', value: ctx.plan(index, `${path}[key]`) };
  // `{}`, `Iterable<T>`: no declared field to key, so an empty projection would give every value one key.
  if (properties.length === 0) return ctx.dynamic(path, type, 'its type declares no fields');
  const fields: FieldPlan[] = properties
    .map(p => ({
      name: p.getName(),
      optional: p.hasFlags(ts.SymbolFlags.Optional),
      plan: ctx.plan(p.getTypeAtLocation(ctx.location), `${path}.${p.getName()}`),
    }))
    .filter(f => f.plan.kind !== 'ignore')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { kind: 'object', fields };
};
