import type { BeautyspotContext } from '../compiler/context.js';
import { compile, type Compiled } from '../service/client.js';
import type { ModuleRequest } from '../service/protocol.js';
import type { CompiledModule } from './compile-module.js';

let context: BeautyspotContext | undefined;

/**
 * Compiles one module for the loader: the project's compile service when there is one, else this thread, which
 * loads the compiler (ts-morph) only then, and keeps compiling here once it has.
 */
export function compileRequest(request: ModuleRequest): Promise<Compiled<CompiledModule>> {
  return compile(request, async () => {
    const { answer, BeautyspotContext } = await import('../service/answer.js');
    context ??= new BeautyspotContext();
    return answer(context, request);
  }, context !== undefined);
}
