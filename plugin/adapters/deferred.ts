import { COMPILE_HINT } from '../markers.js';
import { keepNativeExternal } from './native-external.js';
import { transformFilter, type BeautyspotPluginOptions } from './plugin-options.js';
import { rejectTypeScriptLoad } from './plugin-order.js';

type Framework = 'vite' | 'rollup' | 'rolldown';
type Hook = (this: unknown, ...args: unknown[]) => unknown;
interface ObjectHook {
  handler: Hook;
}
/** The loaded plugin, read by hook name (each adapter file states the bundler's own Plugin type). */
type Hooks = Partial<Record<string, Hook | ObjectHook>>;

/**
 * The vite, rollup and rolldown plugin, light: it declares the transform filter as data and loads the plugin
 * proper (unplugin.ts, with unplugin itself) on the first file that passes it. These bundlers apply the filter
 * natively, so a build without annotations loads nothing more than this and the native dependency's hooks (it
 * saves most of the plugin's import time, the bulk of what it added to such a build). Older bundlers without
 * hook filters call the handler for every file: it loads the plugin proper only for a file whose text has the
 * annotation hint, and unplugin applies the rest of the filter (include, exclude) as it always did.
 */
export function deferredPlugin(framework: Framework, options: BeautyspotPluginOptions = {}): object {
  let loading: Promise<Hooks> | undefined;
  let loaded: Hooks | undefined;
  const load = () => (loading ??= import('./unplugin.js').then(m => (loaded = m.beautyspot[framework](options) as object as Hooks)));
  /** The loaded plugin's hook, once it is loaded (before, no state exists that it could update). */
  const forward = (name: string) =>
    function (this: unknown, ...args: unknown[]) {
      const hook = loaded?.[name];
      return typeof hook === 'function' ? hook.apply(this, args) : hook?.handler.apply(this, args);
    };
  return {
    name: 'beautyspot',
    enforce: 'pre' as const,
    ...keepNativeExternal[framework],
    transform: {
      // Rollup and rolldown run it before other plugins' transforms wherever it stands in `plugins`: a plugin
      // that strips TypeScript first would leave nothing to cache.
      order: 'pre' as const,
      filter: transformFilter(options),
      async handler(this: unknown, code: string, id: string) {
        // Bundlers without hook filters call it for every file: the code test keeps unplugin unloaded there too.
        if (!COMPILE_HINT.test(code)) return undefined;
        return ((await load()).transform as ObjectHook).handler.call(this, code, id);
      },
    },
    buildStart(this: unknown, inputOptions?: Parameters<typeof rejectTypeScriptLoad>[0]) {
      const misplaced = rejectTypeScriptLoad(inputOptions);
      if (misplaced) throw new Error(misplaced);
      return forward('buildStart').call(this);
    },
    watchChange: forward('watchChange'),
  };
}
