import { createCachedFunction } from './cached-function.js';
import type { ResolvedMarkOptions } from './mark-options.js';
import type { Spot } from './spot.js';

type AnyFunction = (...args: any[]) => any;

/**
 * The standard (TS 5) method decorator form of `mark`. The id is `Class.method` unless `name` is given.
 * An instance method's `this` is part of the key (it needs a [keyHook]() method, or pass `key`).
 */
export function markMethod<F extends AnyFunction>(spot: Spot, method: F, context: ClassMethodDecoratorContext, options: ResolvedMarkOptions): F {
  if (context.kind !== 'method') {
    throw new TypeError(`[beautyspot] @mark decorates methods, not ${context.kind}s (${String(context.name)})`);
  }
  return createCachedFunction(spot, method, options, { method: { name: String(context.name), static: context.static } });
}
