import remapping from '@jridgewell/remapping';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ts } from 'ts-morph';
import { BeautyspotContext } from './context.js';

/** Node module hooks: TypeScript files are rewritten by the compiler, then stripped of types. */
const TS_FILE = /\.([cm]?)tsx?$/;
let context: BeautyspotContext | undefined;

interface ResolveContext { parentURL?: string }
type NextResolve = (specifier: string, context: ResolveContext) => Promise<{ url: string; format?: string | null }>;
interface LoadContext { format?: string | null }
type NextLoad = (url: string, context: LoadContext) => Promise<{ format?: string | null; source?: unknown }>;

/** TypeScript's NodeNext convention imports `./a.js` for `./a.ts`: map it when only the .ts file exists. */
export async function resolve(specifier: string, ctx: ResolveContext, next: NextResolve): Promise<{ url: string; format?: string | null; shortCircuit?: boolean }> {
  if (ctx.parentURL && TS_FILE.test(ctx.parentURL) && /^\.{1,2}\//.test(specifier) && /\.[cm]?jsx?$/.test(specifier)) {
    const url = new URL(specifier.replace(/\.([cm]?)js(x?)$/, '.$1ts$2'), ctx.parentURL);
    if (!existsSync(new URL(specifier, ctx.parentURL)) && existsSync(url)) return { url: url.href, shortCircuit: true };
  }
  return next(specifier, ctx);
}

export async function load(url: string, ctx: LoadContext, next: NextLoad): Promise<{ format?: string | null; source?: unknown; shortCircuit?: boolean }> {
  const match = TS_FILE.exec(url);
  if (!match || !url.startsWith('file:') || url.includes('/node_modules/')) return next(url, ctx);
  const fileName = fileURLToPath(url);
  const source = readFileSync(fileName, 'utf8');
  context ??= new BeautyspotContext();
  const rewritten = context.transform(source, fileName);
  const commonjs = match[1] === 'c';
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
    format: commonjs ? 'commonjs' : 'module',
    source: `${code}\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}\n`,
    shortCircuit: true,
  };
}
