import { formatBytes, formatMs } from '../../runtime/spot/stats.js';
import type { EntryInfo } from '../../runtime/store/store.js';
import { formatAge, formatTtl, shortKey, table } from '../format/table.js';
import { cacheCommand, countOption, eachView, fail, printJson, resolveFunction, type CommonOptions } from './cache-command.js';

interface LsOptions extends CommonOptions {
  fn?: string;
  tag?: string;
  limit: number;
}

export const lsCommand = cacheCommand('ls', 'list the cached entries, newest first')
  .option('--fn <function>', 'only this function (its id, or the name after "#")')
  .option('--tag <tag>', 'only entries with this tag')
  .option('--limit <n>', 'at most this many entries', countOption, 50)
  .action((options: LsOptions) => {
    const found = eachView(options, view => {
      const { fn, error } = resolveFunction(view, options.fn);
      if (error) fail(error);
      const page = view.query({ fn, tag: options.tag, limit: options.limit });
      return { spot: view.spot, rows: page.rows, total: page.total };
    });
    const rows = found.flatMap(({ spot, rows }) => rows.map(row => ({ spot, ...row })))
      .sort((a, b) => b.createdAt - a.createdAt).slice(0, options.limit);
    const total = found.reduce((sum, f) => sum + f.total, 0);
    if (options.json) return printJson({ total, entries: rows });
    if (rows.length === 0) return void process.stdout.write('no entries\n');
    const spots = new Set(found.map(f => f.spot)).size > 1;
    const now = Date.now();
    process.stdout.write(`${table(
      [...(spots ? ['SPOT'] : []), 'FUNCTION', 'KEY', 'SIZE', 'AGE', 'ACCESSED', 'TTL', 'COMPUTE', 'TAGS'],
      rows.map((e: EntryInfo & { spot: string }) => [
        ...(spots ? [e.spot] : []), e.fn, shortKey(e.key), formatBytes(e.size), formatAge(e.createdAt, now),
        formatAge(e.accessedAt, now), formatTtl(e.expiresAt, now), formatMs(e.computeMs), e.tags.join(','),
      ]),
      [...(spots ? ['l'] : []), 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'l'] as ('l' | 'r')[],
    )}\n`);
    if (total > rows.length) process.stdout.write(`(${rows.length} of ${total}; --limit N for more)\n`);
  });
