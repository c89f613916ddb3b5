import * as module from 'node:module';
import { workerData } from 'node:worker_threads';
import type { LoadHook, ResolveHook } from './module-hooks.js';

/** `module.registerHooks` (Node ≥ 22.15 and ≥ 23.5), which the @types/node of the oldest Node we support lacks. */
type RegisterHooks = (hooks: { resolve: ResolveHook; load: LoadHook }) => unknown;

let registered = false;

/**
 * Registers beautyspot's loader in this process, once: in this thread where node has `module.registerHooks` (no
 * hooks worker to start: ≈ 30 ms), else with `module.register`, whose hooks run in a worker. BEAUTYSPOT_LOADER=worker
 * asks for the worker where both exist. Stack traces point at the TypeScript source.
 */
export async function registerLoader(): Promise<void> {
  if (registered || (workerData as { beautyspotCompileWorker?: true } | null)?.beautyspotCompileWorker) return;
  registered = true;
  process.setSourceMapsEnabled(true);
  const registerHooks = (module as { registerHooks?: RegisterHooks }).registerHooks;
  if (registerHooks === undefined || process.env.BEAUTYSPOT_LOADER === 'worker') {
    module.register('./loader-hooks.js', import.meta.url);
    return;
  }
  const [{ resolve, loadHook, debug }, { compileSync }] = await Promise.all([import('./module-hooks.js'), import('./compile-sync.js')]);
  registerHooks({ resolve, load: loadHook(compileSync) });
  debug?.('hooks in this thread (module.registerHooks)');
}
