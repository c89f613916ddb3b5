import { createUnplugin, type FilterPattern } from 'unplugin';
import { BeautyspotBuildError } from './diagnostics.js';
import { ANNOTATION_HINT, BeautyspotContext, type BeautyspotOptions } from './context.js';

export interface BeautyspotPluginOptions extends BeautyspotOptions {
  /** Files to transform. Default: .ts .tsx .mts .cts .js .jsx .mjs .cjs */
  include?: FilterPattern;
  /** Files to leave alone. Default: node_modules. */
  exclude?: FilterPattern;
}

const SOURCE = /\.[cm]?[jt]sx?$/;

/**
 * The one plugin factory; every bundler's adapter is a property of it (`beautyspot.vite`, `.esbuild`, …).
 * Options are optional (`beautyspot()`), and each adapter returns one plugin.
 */
export const beautyspot = createUnplugin<BeautyspotPluginOptions | undefined, false>((options = {}) => {
  const { include = [SOURCE], exclude = [/[\\/]node_modules[\\/]/], ...contextOptions } = options;
  let context: BeautyspotContext | undefined;
  return {
    name: 'beautyspot',
    enforce: 'pre',
    transform: {
      // Declared as data so bundlers that support hook filters skip unannotated files natively.
      filter: { id: { include, exclude }, code: ANNOTATION_HINT },
      handler(code, id) {
        // Repeated for bundlers that ignore filters: an unannotated file costs one regex test.
        if (!ANNOTATION_HINT.test(code)) return undefined;
        context ??= new BeautyspotContext(contextOptions);
        let out;
        try {
          out = context.transform(code, id);
        } catch (error) {
          if (!(error instanceof BeautyspotBuildError)) throw error;
          // With the first problem's location, so bundlers point at the annotated file (esbuild would otherwise
          // name its own source). Rollup and vite throw here; esbuild collects the error and fails the build.
          const first = error.diagnostics[0];
          const loc = first && { file: id.split('?')[0]!, line: first.line, column: first.col - 1 };
          this.error({ message: error.message, id, ...(loc ? { loc } : {}) });
          return undefined;
        }
        if (!out) return undefined;
        for (const file of out.dependencies) this.addWatchFile(file);
        for (const warning of out.warnings) this.warn(warning);
        return { code: out.code, map: out.map };
      },
    },
    // Watch mode and dev servers keep the context, and with it the type program, across rebuilds: bundlers that
    // report changed files update it here; esbuild does not, so every (re)build start re-reads what keys depend on.
    buildStart() {
      context?.refresh();
    },
    watchChange(id) {
      context?.invalidate(id);
    },
  };
});
