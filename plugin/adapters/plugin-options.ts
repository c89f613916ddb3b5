import type { BeautyspotOptions } from '../compiler/context.js';
import { COMPILE_HINT } from '../markers.js';
import { OWN_CODE } from '../own-code.js';

/**
 * unplugin's FilterPattern, spelled out: the adapters' declarations then never load unplugin's, which name its
 * optional peers (bun, @farmfe/core, …) and fail a user's type check under `skipLibCheck: false`.
 */
export type FilterPattern = string | RegExp | (string | RegExp)[];

export interface BeautyspotPluginOptions extends BeautyspotOptions {
  /** Files to transform. Default: .ts .tsx .mts .cts .js .jsx .mjs .cjs */
  include?: FilterPattern;
  /** Files to leave alone. Default: node_modules. */
  exclude?: FilterPattern;
}

/**
 * The transform hook's filter, as data (bundlers that support hook filters skip unannotated files natively).
 * beautyspot's own code is always left alone, whatever `exclude` says.
 */
export function transformFilter(options: Pick<BeautyspotPluginOptions, 'include' | 'exclude'>) {
  const { include = [/\.[cm]?[jt]sx?$/], exclude = [/[\\/]node_modules[\\/]/] } = options;
  return { id: { include, exclude: [exclude].flat().concat(OWN_CODE) }, code: COMPILE_HINT };
}
