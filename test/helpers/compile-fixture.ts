import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BeautyspotContext, type TransformOutput } from '../../plugin/compiler/context.js';
import { defineSpot, type CompiledKey, type KeyWriter, type Spot } from '../../runtime/index.js';
import { compiledKeys } from './capturing-runtime.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const capturingRuntime = fileURLToPath(new URL('./capturing-runtime.ts', import.meta.url));

export type WriteArgs = (w: KeyWriter, args: unknown[], self: unknown) => void;

export interface CompiledFixture {
  /** The compiled module's exports: marked functions are cached wrappers on the real runtime. */
  module: Record<string, unknown>;
  /** What the compiler passed to markCompiled, by function id. */
  keys: Map<string, CompiledKey>;
  output: TransformOutput;
  /** The generated key writer of the function with this id. */
  writer(id: string): WriteArgs;
}

/**
 * Compiles `file` (or `source` under that name) with the plugin (ids relative to `root`) and imports the result in this process, with the
 * runtime module swapped for one that records each function's compiled key. The fixture may import types from
 * anywhere but values only from packages (the compiled copy lives under .tmp/).
 */
export async function loadCompiled(file: string, root: string, source = readFileSync(file, 'utf8')): Promise<CompiledFixture> {
  const output = new BeautyspotContext({ root, runtimeModule: capturingRuntime }).transform(source, file);
  if (!output) throw new Error(`${file} has no marked functions`);
  mkdirSync(join(repo, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(repo, '.tmp', 'compiled-'));
  let module: Record<string, unknown>;
  try {
    const copy = join(dir, basename(file));
    writeFileSync(copy, output.code);
    module = await import(pathToFileURL(copy).href) as Record<string, unknown>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const keys = new Map(Object.keys(output.plans).map(id => [id, compiledKeys.get(id)!]));
  return {
    module,
    keys,
    output,
    writer(id) {
      const writeArgs = keys.get(id)?.writeArgs;
      if (!writeArgs) throw new Error(`no compiled key writer for ${id}; compiled: ${[...keys.keys()].join(', ')}`);
      return writeArgs;
    },
  };
}

/**
 * Defines the named spot a compiled fixture uses (`@mark spot=<name>`) in a fresh temp directory, for a whole
 * file's tests (its wrappers keep the spot they resolved first); `remove` closes it and deletes the directory.
 */
export function defineTempSpot(name: string): { spot: Spot; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `bs-${name}-`));
  const spot = defineSpot(name, { dir });
  return {
    spot,
    remove() {
      spot.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
