// The runtime as compiled code sees it, except that markCompiled also records what the compiler passed in, so a
// test can call a compiled function's generated key writer directly. compile-fixture.ts points the plugin here.
import { markCompiled as runtimeMarkCompiled, type CompiledKey } from '../../runtime/index.js';

export * from '../../runtime/index.js';

/** What compiled code passed to markCompiled, by function id (the latest load wins). */
export const compiledKeys = new Map<string, CompiledKey>();

export const markCompiled: typeof runtimeMarkCompiled = (spot, fn, options, compiled, method) => {
  compiledKeys.set(compiled.id, compiled);
  return runtimeMarkCompiled(spot, fn, options, compiled, method);
};
