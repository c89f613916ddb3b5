import type { MarkedFunction } from '../find/find-marked.js';

/**
 * true: the function returns a promise by its declaration; false: it is declared to return something that is
 * not thenable, so a hit is never a promise (whatever a row's flags say); undefined: the type cannot tell
 * (`any`, `unknown`, a type parameter, a union with a promise), and the stored entry's flag decides.
 */
export function isAsync(fn: MarkedFunction): boolean | undefined {
  if (fn.node.isAsync()) return true;
  const type = fn.node.getReturnType();
  if (type.isAny() || type.isUnknown() || type.isTypeParameter()) return undefined;
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  const thenables = members.filter(t => t.getSymbol()?.getName() === 'Promise' || t.getProperty('then') !== undefined).length;
  if (thenables === 0) return false;
  return thenables === members.length ? true : undefined;
}
