/** Text markers shared by the light entry points (bundler plugin, loader) and the compiler. No imports. */

/**
 * Cheap text check that every bundler runs before anything heavy: a superset of the annotations and of the
 * near misses find/ warns about (`@Mark`, `@beautyspot`, `// beautyspot mark`).
 */
export const ANNOTATION_HINT = /@mark|@beauty|beauty-?spot\s*[:=]?\s*mark/i;

/** The runtime namespace the generated code binds, and the module it comes from. */
export const NS = '__beautyspot';
export const RUNTIME_MODULE = 'beautyspot/runtime';

/** The namespace import every rewritten file starts with; its presence means "already rewritten". */
export const REWRITTEN_MARK = `import * as ${NS} from `;
