import { dirname, join } from 'node:path';
import { createUnplugin } from 'unplugin';
import type { BeautyspotContext } from '../compiler/context.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { COMPILE_HINT, REWRITTEN_MARK } from '../markers.js';
import { checkLoaderOrder, rejectTypeScriptLoad } from './plugin-order.js';
import { keepNativeExternal } from './native-external.js';
import { transformFilter, type BeautyspotPluginOptions } from './plugin-options.js';
import { compile } from '../service/client.js';
import type { Answer, PluginTransform, TransformRequest } from '../service/protocol.js';
import { cacheDir, compilerIdentity, TransformCache } from '../transform-cache.js';

export type { BeautyspotPluginOptions } from './plugin-options.js';


/**
 * The one plugin factory; every bundler's adapter is a property of it (`beautyspot.vite`, `.esbuild`, …).
 * Options are optional (`beautyspot()`), and each adapter returns one plugin, which also keeps the runtime's
 * native dependency out of the bundle (native-external.ts). The vite, rollup and rolldown entry points load it
 * only when a file with an annotation reaches them (deferred.ts).
 *
 * Nothing heavy loads with the plugin: an annotated file whose output is not already in
 * `node_modules/.cache/beautyspot/plugin` goes to the project's compile service, and only without one is the
 * compiler (ts-morph) imported here, so builds without annotations, and rebuilds of unchanged code, never load
 * TypeScript.
 */
export const beautyspot = createUnplugin<BeautyspotPluginOptions | undefined, false>((options = {}) => {
  const { include, exclude, ...contextOptions } = options;
  let context: BeautyspotContext | undefined;
  // One promise, so transforms that start while the compiler is still loading share one context (one program).
  let loading: Promise<typeof import('../service/answer.js')> | undefined;
  let cache: TransformCache<PluginTransform> | undefined;
  const inProcess = async (request: TransformRequest): Promise<Answer<PluginTransform>> => {
    loading ??= import('../service/answer.js').then(m => {
      context = new m.BeautyspotContext(contextOptions);
      return m;
    });
    return (await loading).answer(context!, request);
  };
  return {
    name: 'beautyspot',
    enforce: 'pre',
    ...keepNativeExternal,
    webpack(compiler) {
      keepNativeExternal.webpack!(compiler);
      checkLoaderOrder(compiler);
    },
    rspack(compiler) {
      keepNativeExternal.rspack!(compiler);
      checkLoaderOrder(compiler);
    },
    transform: {
      // Before other plugins' transforms in rollup and rolldown, as in deferred.ts.
      order: 'pre',
      filter: transformFilter({ include, exclude }),
      async handler(code, id) {
        // Repeated for bundlers that ignore filters: an unannotated file costs one regex test.
        if (!COMPILE_HINT.test(code) || code.includes(REWRITTEN_MARK)) return undefined;
        const fileName = id.split('?')[0]!;
        cache ??= new TransformCache(join(cacheDir(dirname(fileName)), 'plugin'), `${compilerIdentity()}:${JSON.stringify(contextOptions)}`);
        let result = cache.get(fileName, code);
        if (!result) {
          const request: TransformRequest = { kind: 'transform', fileName: id, code, cwd: process.cwd(), options: contextOptions };
          const { answer } = await compile(request, () => inProcess(request), context !== undefined);
          if ('diagnostics' in answer) {
            // With the first problem's location, so bundlers point at the annotated file (esbuild would otherwise
            // name its own source). Rollup and vite throw here; esbuild collects the error and fails the build.
            // esbuild's columns are 0-based (its code frame's caret is placed by them); vite and rollup print loc.column
            // as it is in their headers, where it must read as the message's (1-based) column.
            const error = new BeautyspotBuildError(answer.diagnostics);
            const first = error.diagnostics[0];
            const zeroBased = this.getNativeBuildContext?.().framework === 'esbuild';
            const loc = first && { file: fileName, line: first.line, column: zeroBased ? first.col - 1 : first.col };
            this.error({ message: error.message, id, ...(loc ? { loc } : {}) });
            return undefined;
          }
          result = answer.value;
          cache.set(fileName, code, result, [fileName, ...result.dependencies]);
        }
        for (const file of result.dependencies) this.addWatchFile(file);
        for (const warning of result.warnings) this.warn(warning);
        return result.output ?? undefined;
      },
    },
    // Watch mode and dev servers keep the context, and with it the type program, across rebuilds: bundlers that
    // report changed files update it here; esbuild does not, so every (re)build start re-reads what keys depend on.
    buildStart(inputOptions?: Parameters<typeof rejectTypeScriptLoad>[0]) {
      const misplaced = rejectTypeScriptLoad(inputOptions);
      if (misplaced) throw new Error(misplaced);
      context?.refresh();
    },
    watchChange(id) {
      context?.invalidate(id);
    },
  };
});
