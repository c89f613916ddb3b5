export { formatBytes, formatMs } from '../../../runtime/spot/stats.js';
export { formatAge, formatPercent, shortKey } from '../../format/table.js';

export const count = (n: number): string => n.toLocaleString('en-US');

export const dateTime = (at: number): string => new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

/** The name after the module path: `fetchPage` for `src/pipeline.ts#fetchPage`. */
export const shortFn = (fn: string): string => fn.slice(fn.lastIndexOf('#') + 1);
