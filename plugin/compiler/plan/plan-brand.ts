import type { Type } from 'ts-morph';
import type { KindPlanner } from './plan-context.js';

/** Whether a type carries one of the package's optional brand properties (`__@fileBrand@…`). */
export function hasBrand(type: Type, brand: 'fileBrand' | 'dirBrand' | 'ignoreBrand'): boolean {
  if (type.isUnion()) {
    // `x?: Ignore<T>` is `Ignore<T> | undefined`: a missing value is left out of the key as well.
    const members = brand === 'ignoreBrand' ? type.getUnionTypes().filter(m => !m.isUndefined() && !m.isNull()) : type.getUnionTypes();
    return members.length > 0 && members.every(member => hasBrand(member, brand));
  }
  const prefix = `__@${brand}@`;
  return type.getProperties().some(property => property.getName().startsWith(prefix));
}

/** `Ignore<T>`, `FilePath`, `DirPath`: type-driven choices, decided before anything looks inside the type. */
export const planBrand: KindPlanner = type => {
  if (hasBrand(type, 'ignoreBrand')) return { kind: 'ignore' };
  if (hasBrand(type, 'fileBrand')) return { kind: 'file' };
  if (hasBrand(type, 'dirBrand')) return { kind: 'dir' };
  return undefined;
};
