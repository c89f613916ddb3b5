import { createCachedFunction, type ArgKeys, type CompiledKey, type Method } from './cached-function.js';
import { resolveMarkOptions, type MarkOptions } from './mark-options.js';
import { Spot } from './spot.js';
import type { SpotOptions } from './spot-options.js';

type AnyFunction = (...args: any[]) => any;

const spots = new Map<string, Spot>();

/**
 * Defines a named spot once; marked functions find it by name (`mark(fn, { spot: 'api' })`, `@mark spot=api`).
 * Defining a name again replaces it (the old spot is closed), which keeps watch-mode reloads working.
 */
export function defineSpot(name: string, options: SpotOptions = {}): Spot {
  const spot = new Spot(name, options);
  spots.get(name)?.close();
  spots.set(name, spot);
  return spot;
}

/** The spot of that name; "default" exists without any setup. */
export function getSpot(name = 'default'): Spot {
  const spot = spots.get(name);
  if (spot) return spot;
  if (name === 'default') return defineSpot('default');
  const known = [...spots.keys()];
  throw new TypeError(`[beautyspot] no spot named "${name}" is defined. Call defineSpot("${name}", { … }) before the first cached call` +
    (known.length ? `; defined: ${known.map(k => `"${k}"`).join(', ')}` : ''));
}

/** Spots defined so far (for tools and the exit summary). */
export function definedSpots(): Spot[] {
  return [...spots.values()];
}

/**
 * Caches `fn` in the spot named by `options.spot` (default "default"), looked up on the first call,
 * so spots can be defined after the functions that use them.
 */
export function mark<F extends AnyFunction>(fn: F, options: MarkOptions<Parameters<F>> = {}): F {
  return createCachedFunction(spotOf(options.spot), fn, resolveMarkOptions(options, 'mark'), {});
}

/**
 * `cachedRun` on the spot named by `options.spot` (default "default"). `keys` is what the compiler passes when it
 * sees the call: a key writer generated from `fn`'s parameter types (not meant to be passed by hand).
 */
export function cachedRun<F extends AnyFunction>(fn: F, options: MarkOptions<Parameters<F>> = {}, keys?: ArgKeys): F {
  return createCachedFunction(spotOf(options.spot), fn, resolveMarkOptions(options, 'cachedRun'), { keys });
}

/**
 * The entry point compiled code calls (not meant to be called by hand): `f = markCompiled(spot, f, options, compiled)`.
 * The spot is looked up on the first call, so it may be defined after the module that uses it.
 */
export function markCompiled<F extends AnyFunction>(spot: string | undefined, fn: F, options: MarkOptions, compiled: CompiledKey, method?: Method): F {
  return createCachedFunction(spotOf(spot), fn, resolveMarkOptions(options, 'mark'), { compiled, method });
}

/** Spots are looked up on the first call (and again after a spot is redefined), never at mark time. */
function spotOf(name = 'default'): () => Spot {
  return () => getSpot(name);
}
