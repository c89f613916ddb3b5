import remapping from '@jridgewell/remapping';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import type { BeautyspotContext } from '../compiler/context.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { ANNOTATION_HINT } from '../markers.js';

export interface CompiledModule {
  /** JavaScript with an inline source map pointing at the TypeScript source. */
  code: string;
  /** Other files the output depends on (types, referenced project code). */
  dependencies: string[];
  /** The compiler's warnings (near misses, dynamic encoders in strict mode), formatted. */
  warnings: string[];
}

/** Rewrites the marked functions of a TypeScript or JavaScript module, then strips its types (for the Node loader). */
export function compileModule(context: BeautyspotContext, source: string, fileName: string, commonjs: boolean): CompiledModule {
  const transformed = context.transform(source, fileName);
  const marks = transformed !== undefined && Object.keys(transformed.plans).length > 0;
  if (commonjs && marks) throw commonJsError(source, fileName);
  // The key code of cachedRun calls imports the runtime, an ES module: in CommonJS they keep the dynamic encoder.
  const rewritten = commonjs ? undefined : transformed;
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
    warnings: transformed?.warnings ?? [],
  };
}

/** Node's loader runs a CommonJS module it was given as source with a require() that cannot load the runtime (an ES module). */
function commonJsError(source: string, fileName: string): BeautyspotBuildError {
  const before = source.slice(0, Math.max(0, source.search(ANNOTATION_HINT))).split('\n');
  return new BeautyspotBuildError([{
    file: relative(process.cwd(), fileName) || fileName,
    line: before.length,
    col: before.at(-1)!.length + 1,
    message: 'marked functions in a CommonJS module cannot run under the Node loader (the runtime they call is an ES module)',
    fix: 'Make it an ES module (.mjs or .mts, or "type": "module" in its package.json), or build it with a bundler plugin',
    severity: 'error',
  }]);
}
