import { compileRequest } from './compile-request.js';
import { debug, loadHook } from './module-hooks.js';

// The hooks module given to `module.register` (Node < 22.15, or BEAUTYSPOT_LOADER=worker): it runs in node's hooks
// worker, where a compile may be awaited.
export { resolve } from './module-hooks.js';
export const load = loadHook(compileRequest);
debug?.("hooks in node's hooks worker (module.register)");
