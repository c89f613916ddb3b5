declare const ignoreBrand: unique symbol;

/**
 * A parameter left out of the cache key (a logger, a verbose flag, a progress callback).
 * The brand is optional, so any `T` is assignable.
 */
export type Ignore<T> = T & { readonly [ignoreBrand]?: 'Ignore' };
