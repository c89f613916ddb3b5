import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { ANNOTATION_HINT } from '../markers.js';

/** The parts of rollup's and vite's input options (buildStart's argument) the check reads. */
interface InputOptions {
  plugins?: { name?: string; load?: unknown }[];
}

/**
 * @rollup/plugin-typescript compiles each file in its load hook, before every transform: beautyspot would see
 * JavaScript without types, wherever it stands in `plugins`, and cache nothing, silently. Its name and load hook
 * identify it; a plugin that strips types in its transform hook is fine (beautyspot's transform runs first).
 */
export function rejectTypeScriptLoad(options: InputOptions | undefined): string | undefined {
  if (!options?.plugins?.some(plugin => plugin.name === 'typescript' && plugin.load)) return undefined;
  return "[beautyspot] @rollup/plugin-typescript compiles TypeScript when it loads a file, before beautyspot's " +
    'transform sees it, so nothing would be cached. Strip types in a transform instead: replace typescript() with ' +
    'a plugin whose transform hook strips them (esbuild, swc, sucrase; see the README), in any place in plugins.';
}

/** What the check reads of a module: webpack's and rspack's NormalModule (other modules have no loaders). */
interface BuiltModule {
  resource?: string;
  loaders?: { loader: string; ident?: string | null }[];
}

/** The part of a webpack or rspack compiler the check uses. */
interface LoaderCompiler {
  context: string;
  webpack: { WebpackError: new (message: string) => Error };
  hooks: {
    compilation: {
      tap(name: string, fn: (compilation: {
        errors: Error[];
        hooks: { finishModules: { tap(name: string, fn: (modules: Iterable<object>) => void): void } };
      }) => void): void;
    };
  };
}

/** The name unplugin gives the loader that runs beautyspot's transform (webpack's `ident`, rspack's `??` suffix). */
const OWN_LOADER = 'beautyspot';
const isOwn = (item: { loader: string; ident?: string | null }) => item.ident === OWN_LOADER || item.loader.endsWith(`??${OWN_LOADER}`);

/**
 * Fails a webpack or rspack build in which another loader ran before beautyspot's on an annotated file. Loaders
 * run from the last of a module's list to the first, and beautyspot's rule is a pre rule: a TypeScript rule that
 * is a pre rule too (`enforce: 'pre'`) runs first, strips the types and the annotations, and nothing would be
 * cached, silently. Only modules whose list has a loader after beautyspot's are read from disk, so ordinary
 * builds pay one look-up per module.
 */
export function checkLoaderOrder(compiler: LoaderCompiler): void {
  compiler.hooks.compilation.tap(OWN_LOADER, compilation => {
    compilation.hooks.finishModules.tap(OWN_LOADER, modules => {
      for (const module of modules) {
        const { loaders = [], resource = '' } = module as BuiltModule;
        const own = loaders.findIndex(isOwn);
        if (own < 0 || own === loaders.length - 1) continue;
        const file = resource.split('?')[0]!;
        if (!annotated(file)) continue;
        const earlier = loaders.slice(own + 1).map(loaderName).join(', ');
        compilation.errors.push(new compiler.webpack.WebpackError(
          `[beautyspot] ${relative(compiler.context, file)}: ${earlier} runs before beautyspot, which then sees the file ` +
            `without its types or annotations and caches nothing. Remove enforce: 'pre' from the rule that uses ${earlier}.`,
        ));
      }
    });
  });
}

function annotated(file: string): boolean {
  try {
    return ANNOTATION_HINT.test(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}

/** `esbuild-loader` for `/…/node_modules/esbuild-loader/dist/index.cjs`, `builtin:swc-loader` for rspack's. */
function loaderName(item: { loader: string }): string {
  const path = item.loader.split('??')[0]!.replace(/\\/g, '/');
  return path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1] ?? path.split('/').pop()!;
}
