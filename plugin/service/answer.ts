import { BeautyspotContext } from '../compiler/context.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { compileModule, type CompiledModule } from '../loader/compile-module.js';
import type { Answer, CompileRequest, ModuleRequest, PluginTransform, TransformRequest } from './protocol.js';

export { BeautyspotContext };

/**
 * Compiles one request with a context: what the compile service answers, and what a client computes in-process
 * when there is no service, so both give the same bytes.
 */
export function answer(context: BeautyspotContext, request: ModuleRequest): Answer<CompiledModule>;
export function answer(context: BeautyspotContext, request: TransformRequest): Answer<PluginTransform>;
export function answer(context: BeautyspotContext, request: CompileRequest): Answer<CompiledModule | PluginTransform>;
export function answer(context: BeautyspotContext, request: CompileRequest): Answer<CompiledModule | PluginTransform> {
  try {
    if (request.kind === 'module') return { value: compileModule(context, request.code, request.fileName, request.commonjs) };
    const out = context.transform(request.code, request.fileName);
    return {
      value: {
        output: out ? { code: out.code, map: out.map.toString() } : null,
        dependencies: out?.dependencies ?? [],
        warnings: out?.warnings ?? [],
      },
    };
  } catch (error) {
    if (error instanceof BeautyspotBuildError) return { diagnostics: error.diagnostics };
    throw error;
  }
}
