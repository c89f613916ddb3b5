import { formatSpan } from '../format/table.js';
import { cacheCommand, durationOption } from './cache-command.js';
import { deleteMatching, type DeleteOptions } from './delete-matching.js';

interface PruneOptions extends DeleteOptions {
  olderThan: number;
}

export const pruneCommand = cacheCommand('prune', 'delete entries written longer ago than a duration')
  .requiredOption('--older-than <duration>', 'e.g. 30d, 12h, 90m', durationOption)
  .option('-y, --yes', 'do not ask for confirmation')
  .action(async (options: PruneOptions) => {
    const before = Date.now() - options.olderThan;
    await deleteMatching(options, () => ({ before }), `written more than ${formatSpan(options.olderThan)} ago`);
  });
