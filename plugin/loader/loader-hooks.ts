import { existsSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDebug } from '../../runtime/log.js';
import type { BeautyspotContext } from '../compiler/context.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { COMPILE_HINT } from '../markers.js';
import { OWN_CODE_URLS } from '../own-code.js';
import { compile } from '../service/client.js';
import type { Answer, ModuleRequest } from '../service/protocol.js';
import { cacheDir, compilerIdentity, TransformCache } from '../transform-cache.js';
import type { CompiledModule } from './compile-module.js';

/**
 * Node module hooks: TypeScript files are rewritten by the compiler, then stripped of types; JavaScript files
 * that may hold an annotation are rewritten too (their JSDoc types key them). Compiled modules are cached on
 * disk; a module not in that cache goes to the project's compile service, and the compiler (ts-morph) is loaded
 * in this process only when there is none.
 */
const TS_FILE = /\.([cm]?)tsx?$/;
const JS_FILE = /\.[cm]?js$/;
const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

interface ResolveContext { parentURL?: string }
type ResolveResult = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;
interface LoadContext { format?: string | null }
type LoadResult = { format?: string | null; source?: unknown; shortCircuit?: boolean };
type NextLoad = (url: string, context: LoadContext) => Promise<LoadResult>;

/** What the on-disk cache keeps of one compiled module. */
interface CachedModule {
  code: string;
  warnings: string[];
}

let cache: TransformCache<CachedModule> | undefined;
let context: BeautyspotContext | undefined;
const debug = createDebug('beautyspot:loader');

/**
 * Relative imports from TypeScript files as TypeScript resolves them: `./a.js` → `./a.ts` (`.mjs` → `.mts`,
 * `.cjs` → `.cts`), preferred even when a compiled `./a.js` sits beside it, and extensionless `./a` → `./a.ts`
 * or `./a/index.ts`.
 */
export async function resolve(specifier: string, ctx: ResolveContext, next: NextResolve): Promise<ResolveResult> {
  if (ctx.parentURL && TS_FILE.test(ctx.parentURL) && /^\.{1,2}\//.test(specifier)) {
    for (const candidate of typeScriptCandidates(specifier)) {
      const url = new URL(candidate, ctx.parentURL);
      if (existsSync(url) && statSync(url).isFile()) return { url: url.href, shortCircuit: true };
    }
  }
  return next(specifier, ctx);
}

function typeScriptCandidates(specifier: string): string[] {
  const js = /\.([cm]?)js(x?)$/.exec(specifier);
  if (js) {
    const base = specifier.slice(0, js.index);
    return [`${base}.${js[1]}ts`, ...(js[2] || !js[1] ? [`${base}.tsx`] : [])];
  }
  if (/\.[cm]?tsx?$/.test(specifier)) return [];
  return [...TS_EXTENSIONS.map(ext => `${specifier}${ext}`), ...TS_EXTENSIONS.map(ext => `${specifier}/index${ext}`)];
}

export async function load(url: string, ctx: LoadContext, next: NextLoad): Promise<LoadResult> {
  if (!url.startsWith('file:') || url.includes('/node_modules/')) return next(url, ctx);
  const ts = TS_FILE.exec(url);
  if (ts) {
    const commonjs = ts[1] === 'c';
    const fileName = fileURLToPath(url);
    return { format: commonjs ? 'commonjs' : 'module', source: await compiled(fileName, readFileSync(fileName, 'utf8'), commonjs), shortCircuit: true };
  }
  if (!JS_FILE.test(url) || OWN_CODE_URLS.some(dir => url.startsWith(dir))) return next(url, ctx);
  // JavaScript: node decides the format (package.json "type"); only files that may hold an annotation are compiled.
  const loaded = await next(url, ctx);
  if (loaded.format !== 'module' && loaded.format !== 'commonjs') return loaded;
  const fileName = fileURLToPath(url);
  // Node 20 leaves a CommonJS module's source to its own loader (null here).
  const source = loaded.source == null ? readFileSync(fileName, 'utf8') : Buffer.from(loaded.source as Uint8Array).toString('utf8');
  if (!COMPILE_HINT.test(source)) return loaded;
  return { format: loaded.format, source: await compiled(fileName, source, loaded.format === 'commonjs'), shortCircuit: true };
}

/**
 * A module's compiled code, from the on-disk cache or the compiler; its warnings are printed each time. A build
 * error is printed once, as our diagnostics alone (a stack of the compiler's internals would only bury them),
 * and ends the process like a syntax error would.
 */
async function compiled(fileName: string, source: string, commonjs: boolean): Promise<string> {
  cache ??= new TransformCache(join(cacheDir(dirname(fileName)), 'loader'), compilerIdentity());
  let module = cache.get(fileName, source);
  if (module === undefined) {
    const request: ModuleRequest = { kind: 'module', fileName, code: source, cwd: process.cwd(), commonjs };
    const { answer, byService } = await compile(request, () => compileInProcess(request), context !== undefined);
    if ('diagnostics' in answer) {
      writeSync(2, `${new BeautyspotBuildError(answer.diagnostics).message}
`);
      process.exit(1);
    }
    module = { code: answer.value.code, warnings: answer.value.warnings };
    cache.set(fileName, source, module, answer.value.dependencies);
    debug?.(`compiled ${fileName}${byService ? ' by the compile service' : ''}`);
  } else {
    debug?.(`from cache ${fileName}`);
  }
  for (const warning of module.warnings) writeSync(2, `${warning}\n`);
  return module.code;
}

async function compileInProcess(request: ModuleRequest): Promise<Answer<CompiledModule>> {
  const { answer, BeautyspotContext } = await import('../service/answer.js');
  context ??= new BeautyspotContext();
  return answer(context, request);
}
