// The real compiler at bench setup: a TypeScript source goes through BeautyspotContext.transform (dist/plugin),
// its types are stripped with ts.transpileModule, and the result is written as an .mjs that imports the runtime
// under test by absolute path (so compiled code and loadRuntime() share one module instance and one registry).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RUNTIME_PATH } from './runtime.js';

const PLUGIN_URL = new URL('../../dist/plugin/', import.meta.url);

/** A module of the built compiler (dist/plugin/<path>). */
export function pluginModule(path) {
  const url = new URL(path, PLUGIN_URL);
  if (!existsSync(fileURLToPath(url))) throw new Error(`${fileURLToPath(url)} is missing: build first (npx tsc -p tsconfig.build.json)`);
  return import(url.href);
}

/**
 * Compiles `source` as if it were the file `<dir>/<name>.ts` and writes `<dir>/<name>.mjs`.
 * Resolves to { out (the transform output: code, plans, …), file (the .mjs), transformMs (the first transform of
 * a fresh context: it creates the ts-morph project) }.
 */
export async function compileModule({ dir, name, source }) {
  const { BeautyspotContext } = await pluginModule('compiler/context.js');
  const { ts } = await import('ts-morph');
  const start = performance.now();
  const out = new BeautyspotContext({ runtimeModule: RUNTIME_PATH }).transform(source, join(dir, `${name}.ts`));
  const transformMs = performance.now() - start;
  if (!out) throw new Error(`compile ${name}: the compiler found no marked function`);
  const js = ts.transpileModule(out.code, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return { out, file, transformMs };
}

/** Imports a module written by `compileModule` (in this or an earlier process). */
export function importCompiled(file) {
  return import(pathToFileURL(file).href);
}

/** The (function id, code hash) pairs of the markCompiled calls in a transform's output, in order. */
export function compiledIds(code) {
  return [...code.matchAll(/\{ id: ("(?:[^"\\]|\\.)*"), codeHash: ("[0-9a-f]*")/g)].map(m => ({ id: JSON.parse(m[1]), codeHash: JSON.parse(m[2]) }));
}
