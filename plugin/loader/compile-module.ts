import remapping from '@jridgewell/remapping';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import type { BeautyspotContext } from '../compiler/context.js';

export interface CompiledModule {
  /** JavaScript with an inline source map pointing at the TypeScript source. */
  code: string;
  /** Other files the output depends on (types, referenced project code). */
  dependencies: string[];
}

/** Rewrites the marked functions of a TypeScript module, then strips its types (for the Node loader). */
export function compileModule(context: BeautyspotContext, source: string, fileName: string, commonjs: boolean): CompiledModule {
  const rewritten = context.transform(source, fileName);
  const js = ts.transpileModule(rewritten?.code ?? source, {
    fileName,
    compilerOptions: {
      module: commonjs ? ts.ModuleKind.CommonJS : ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      sourceMap: true,
      inlineSources: true,
    },
  });
  const map = rewritten
    ? remapping([JSON.parse(js.sourceMapText!), rewritten.map.toString()], () => null)
    : JSON.parse(js.sourceMapText!);
  map.sources = [pathToFileURL(fileName).href];
  const code = js.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '');
  return {
    code: `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`,
    dependencies: rewritten?.dependencies ?? [],
  };
}
