import { formatBytes, formatMs } from '../../runtime/spot/stats.js';
import type { FunctionSummary } from '../cache/cache-view.js';
import { formatPercent, table } from '../format/table.js';
import { cacheCommand, eachView, printJson, type CommonOptions } from './cache-command.js';

type Totals = Omit<FunctionSummary, 'fn' | 'lastWrite'>;

export const statsCommand = cacheCommand('stats', 'per function: entries, bytes, hits, misses, hit rate and compute time saved')
  .action((options: CommonOptions) => {
    const spots = eachView(options, view => ({ spot: view.spot, where: view.where, functions: view.functions() }))
      .map(s => ({ ...s, totals: sum(s.functions) }));
    if (options.json) return printJson({ spots, totals: sum(spots.flatMap(s => s.functions)) });
    if (spots.length === 0) return void process.stdout.write('no cache yet\n');
    for (const { spot, where, functions, totals } of spots) {
      process.stdout.write(`spot "${spot}" (${where})\n`);
      const row = (name: string, s: Totals): string[] => [name, String(s.entries), formatBytes(s.bytes), String(s.hits), String(s.misses),
        formatPercent(s.hits, s.hits + s.misses), formatMs(s.savedMs)];
      process.stdout.write(`${table(['FUNCTION', 'ENTRIES', 'SIZE', 'HITS', 'MISSES', 'HIT RATE', 'SAVED'],
        [...functions.map(f => row(f.fn, f)), row('total', totals)], ['l', 'r', 'r', 'r', 'r', 'r', 'r'])}\n\n`);
    }
  });

function sum(functions: FunctionSummary[]): Totals {
  const totals: Totals = { entries: 0, bytes: 0, hits: 0, misses: 0, savedMs: 0, computeMs: 0 };
  for (const f of functions) for (const k of Object.keys(totals) as (keyof Totals)[]) totals[k] += f[k];
  return totals;
}
