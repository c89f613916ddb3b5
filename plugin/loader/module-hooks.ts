import { existsSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDebug } from '../../runtime/log.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { COMPILE_HINT } from '../markers.js';
import { OWN_CODE_URLS } from '../own-code.js';
import type { Compiled } from '../service/client.js';
import type { ModuleRequest } from '../service/protocol.js';
import { cacheDir, compilerIdentity, TransformCache } from '../transform-cache.js';
import type { CompiledModule } from './compile-module.js';

/**
 * Node module hooks: TypeScript files are rewritten by the compiler, then stripped of types; JavaScript files
 * that may hold an annotation are rewritten too (their JSDoc types key them). Compiled modules are cached on
 * disk; a module not in that cache is compiled by `compile`.
 *
 * The same hooks serve both of node's hook APIs: `module.registerHooks` (in-thread, where `next` and `compile`
 * answer at once) and `module.register` (a hooks worker, where they answer with promises).
 */
const TS_FILE = /\.([cm]?)tsx?$/;
const JS_FILE = /\.[cm]?js$/;
const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

type MaybePromise<T> = T | Promise<T>;
interface ResolveContext { parentURL?: string }
type ResolveResult = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: ResolveContext) => MaybePromise<ResolveResult>;
interface LoadContext { format?: string | null }
type LoadResult = { format?: string | null; source?: unknown; shortCircuit?: boolean };
type NextLoad = (url: string, context: LoadContext) => MaybePromise<LoadResult>;
export type CompileModule = (request: ModuleRequest) => MaybePromise<Compiled<CompiledModule>>;
export type ResolveHook = (specifier: string, ctx: ResolveContext, next: NextResolve) => MaybePromise<ResolveResult>;
export type LoadHook = (url: string, ctx: LoadContext, next: NextLoad) => MaybePromise<LoadResult>;

/** What the on-disk cache keeps of one compiled module. */
interface CachedModule {
  code: string;
  warnings: string[];
}

let cache: TransformCache<CachedModule> | undefined;
export const debug = createDebug('beautyspot:loader');

/**
 * Relative imports from TypeScript files as TypeScript resolves them: `./a.js` → `./a.ts` (`.mjs` → `.mts`,
 * `.cjs` → `.cts`), preferred even when a compiled `./a.js` sits beside it, and extensionless `./a` → `./a.ts`
 * or `./a/index.ts`.
 */
export const resolve: ResolveHook = (specifier, ctx, next) => {
  if (ctx.parentURL && TS_FILE.test(ctx.parentURL) && /^\.{1,2}\//.test(specifier)) {
    for (const candidate of typeScriptCandidates(specifier)) {
      const url = new URL(candidate, ctx.parentURL);
      if (existsSync(url) && statSync(url).isFile()) return { url: url.href, shortCircuit: true };
    }
  }
  return next(specifier, ctx);
};

function typeScriptCandidates(specifier: string): string[] {
  const js = /\.([cm]?)js(x?)$/.exec(specifier);
  if (js) {
    const base = specifier.slice(0, js.index);
    return [`${base}.${js[1]}ts`, ...(js[2] || !js[1] ? [`${base}.tsx`] : [])];
  }
  if (/\.[cm]?tsx?$/.test(specifier)) return [];
  return [...TS_EXTENSIONS.map(ext => `${specifier}${ext}`), ...TS_EXTENSIONS.map(ext => `${specifier}/index${ext}`)];
}

/** The load hook, compiling what is not in the on-disk cache with `compile`. */
export function loadHook(compile: CompileModule): LoadHook {
  return (url, ctx, next) => {
    if (!url.startsWith('file:') || url.includes('/node_modules/')) return next(url, ctx);
    const ts = TS_FILE.exec(url);
    if (ts) {
      const fileName = fileURLToPath(url);
      return compiled({ kind: 'module', fileName, code: readFileSync(fileName, 'utf8'), cwd: process.cwd(), commonjs: ts[1] === 'c' }, compile);
    }
    if (!JS_FILE.test(url) || OWN_CODE_URLS.some(dir => url.startsWith(dir))) return next(url, ctx);
    // JavaScript: node decides the format (package.json "type"); only files that may hold an annotation are compiled.
    return then(next(url, ctx), loaded => {
      if (loaded.format !== 'module' && loaded.format !== 'commonjs') return loaded;
      const fileName = fileURLToPath(url);
      // Node 20 leaves a CommonJS module's source to its own loader (null here).
      const source = loaded.source == null ? readFileSync(fileName, 'utf8') : Buffer.from(loaded.source as Uint8Array).toString('utf8');
      if (!COMPILE_HINT.test(source)) return loaded;
      return compiled({ kind: 'module', fileName, code: source, cwd: process.cwd(), commonjs: loaded.format === 'commonjs' }, compile);
    });
  };
}

/** `f(value)`, at once for a value, after it for a promise. */
function then<T, U>(value: MaybePromise<T>, f: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/**
 * A module's compiled code, from the on-disk cache or the compiler; its warnings are printed each time. A build
 * error is printed once, as our diagnostics alone (a stack of the compiler's internals would only bury them),
 * and ends the process like a syntax error would.
 */
function compiled(request: ModuleRequest, compile: CompileModule): MaybePromise<LoadResult> {
  const { fileName, code: source } = request;
  cache ??= new TransformCache(join(cacheDir(dirname(fileName)), 'loader'), compilerIdentity());
  const hit = cache.get(fileName, source);
  if (hit !== undefined) {
    debug?.(`from cache ${fileName}`);
    return loaded(request, hit);
  }
  return then(compile(request), ({ answer, byService }) => {
    if ('diagnostics' in answer) {
      writeSync(2, `${new BeautyspotBuildError(answer.diagnostics).message}\n`);
      process.exit(1);
    }
    const module = { code: answer.value.code, warnings: answer.value.warnings };
    cache!.set(fileName, source, module, answer.value.dependencies);
    debug?.(`compiled ${fileName}${byService ? ' by the compile service' : ''}`);
    return loaded(request, module);
  });
}

function loaded(request: ModuleRequest, module: CachedModule): LoadResult {
  for (const warning of module.warnings) writeSync(2, `${warning}\n`);
  return { format: request.commonjs ? 'commonjs' : 'module', source: module.code, shortCircuit: true };
}
