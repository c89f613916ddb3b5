import { cacheCommand, fail, resolveFunction } from './cache-command.js';
import { deleteMatching, type DeleteOptions } from './delete-matching.js';

interface ClearOptions extends DeleteOptions {
  fn?: string;
  tag?: string;
}

export const clearCommand = cacheCommand('clear', 'delete entries (all, or those of a function or tag) and the blobs only they used')
  .option('--fn <function>', 'only this function\'s entries (its id, or the name after "#")')
  .option('--tag <tag>', 'only entries with this tag')
  .option('-y, --yes', 'do not ask for confirmation')
  .action(async (options: ClearOptions) => {
    const what = [options.fn && `of function ${options.fn}`, options.tag && `tagged ${options.tag}`].filter(Boolean).join(' and ');
    await deleteMatching(options, view => {
      const { fn, error } = resolveFunction(view, options.fn);
      if (error) fail(error);
      return { fn, tag: options.tag };
    }, what || 'in all');
  });
