// The built package under test (run `npm run build` first; `npm run bench` does).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RUNTIME_URL = new URL('../../dist/runtime/index.js', import.meta.url);
export const RUNTIME_PATH = fileURLToPath(RUNTIME_URL);

export async function loadRuntime() {
  if (!existsSync(RUNTIME_PATH)) throw new Error(`${RUNTIME_PATH} is missing: build first (npx tsc -p tsconfig.build.json)`);
  return import(RUNTIME_URL.href);
}

/** An internal module of the build (for the key trial's tags and the like). */
export function internal(path) {
  return import(new URL(`../../dist/runtime/${path}`, import.meta.url).href);
}
