import { readFileSync } from 'node:fs';
import type { OnLoadResult, Plugin } from 'esbuild';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/**
 * `plugins: [beautyspot()]` in esbuild's build options. Its errors carry the source line they point at, so
 * esbuild prints a code frame under each (unplugin passes only file, line and column on).
 */
const esbuild = (options?: BeautyspotPluginOptions): Plugin => {
  const plugin = beautyspot.esbuild(options);
  return {
    ...plugin,
    setup: build => plugin.setup({
      ...build,
      onLoad: (filter, callback) => build.onLoad(filter, async args => withLineText(await callback(args))),
    }),
  };
};
export default esbuild;

function withLineText<T extends OnLoadResult | null | undefined>(result: T): T {
  for (const error of result?.errors ?? []) {
    const location = error.location;
    if (!location?.file || location.lineText || location.line === undefined) continue;
    try {
      location.lineText = readFileSync(location.file, 'utf8').split('\n')[location.line - 1]?.replace(/\r$/, '') ?? '';
    } catch {
      // the frame is only a help
    }
  }
  return result;
}
