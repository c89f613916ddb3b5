// A webpack loader for the end-to-end tests: strips TypeScript with esbuild. It runs after beautyspot's pre
// loader, so the source map it receives maps the rewritten code to the .ts file; the two maps are composed so
// that stack traces name the original lines.
import remapping from '@jridgewell/remapping';
import { transformSync } from 'esbuild';

/** @this {import('webpack').LoaderContext<{}>} @param {string} code @param {any} [map] */
export default function stripTypes(code, map) {
  const out = transformSync(code, { loader: 'ts', format: 'esm', sourcemap: 'external', sourcefile: this.resourcePath });
  this.callback(null, out.code, map ? remapping([out.map, map], () => null) : out.map);
}
