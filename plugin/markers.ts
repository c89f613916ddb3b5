/** Text markers shared by the light entry points (bundler plugin, loader) and the compiler. No imports. */

/** A superset of the annotations and of the near misses find/ warns about (`@Mark`, `@beautyspot`, `// beautyspot mark`). */
export const ANNOTATION_HINT = /@mark|@beauty|beauty-?spot\s*[:=]?\s*mark/i;

/**
 * Cheap text check that every bundler and the loader run before anything heavy: annotations, and `cachedRun` calls
 * (given key code from their types).
 */
export const COMPILE_HINT = new RegExp(`${ANNOTATION_HINT.source}|\\bcachedRun\\s*\\(`, 'i');

/** The runtime namespace the generated code binds, and the module it comes from. */
export const NS = '__beautyspot';
export const RUNTIME_MODULE = 'beautyspot/runtime';

/** The namespace import every rewritten file starts with; its presence means "already rewritten". */
export const REWRITTEN_MARK = `import * as ${NS} from `;
