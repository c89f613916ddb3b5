import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDebug } from '../../runtime/log.js';
import type { BeautyspotContext } from '../compiler/context.js';
import { BeautyspotBuildError } from '../compiler/diagnostics.js';
import { compile } from '../service/client.js';
import type { Answer, ModuleRequest } from '../service/protocol.js';
import { cacheDir, compilerIdentity, TransformCache } from '../transform-cache.js';
import type { CompiledModule } from './compile-module.js';

/**
 * Node module hooks: TypeScript files are rewritten by the compiler, then stripped of types. Compiled modules
 * are cached on disk; a module not in that cache goes to the project's compile service, and the compiler
 * (ts-morph) is loaded in this process only when there is none.
 */
const TS_FILE = /\.([cm]?)tsx?$/;
const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

interface ResolveContext { parentURL?: string }
type ResolveResult = { url: string; format?: string | null; shortCircuit?: boolean };
type NextResolve = (specifier: string, context: ResolveContext) => Promise<ResolveResult>;
interface LoadContext { format?: string | null }
type LoadResult = { format?: string | null; source?: unknown; shortCircuit?: boolean };
type NextLoad = (url: string, context: LoadContext) => Promise<LoadResult>;

let cache: TransformCache<string> | undefined;
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
  const match = TS_FILE.exec(url);
  if (!match || !url.startsWith('file:') || url.includes('/node_modules/')) return next(url, ctx);
  const fileName = fileURLToPath(url);
  const commonjs = match[1] === 'c';
  const source = readFileSync(fileName, 'utf8');
  cache ??= new TransformCache(join(cacheDir(dirname(fileName)), 'loader'), compilerIdentity());
  let code = cache.get(fileName, source);
  if (code === undefined) {
    const request: ModuleRequest = { kind: 'module', fileName, code: source, cwd: process.cwd(), commonjs };
    const { answer, byService } = await compile(request, () => compileInProcess(request));
    if ('diagnostics' in answer) throw new BeautyspotBuildError(answer.diagnostics);
    cache.set(fileName, source, answer.value.code, answer.value.dependencies);
    code = answer.value.code;
    debug?.(`compiled ${fileName}${byService ? ' by the compile service' : ''}`);
  } else {
    debug?.(`from cache ${fileName}`);
  }
  return { format: commonjs ? 'commonjs' : 'module', source: code, shortCircuit: true };
}

async function compileInProcess(request: ModuleRequest): Promise<Answer<CompiledModule>> {
  const { answer, BeautyspotContext } = await import('../service/answer.js');
  context ??= new BeautyspotContext();
  return answer(context, request);
}
