import { createInterface } from 'node:readline/promises';
import type { EntryFilter } from '../../runtime/store/store.js';
import type { CacheView } from '../cache/cache-view.js';
import { openSpot } from '../cache/locate.js';
import { eachView, fail, printJson, type CommonOptions } from './cache-command.js';

export interface DeleteOptions extends CommonOptions {
  yes?: boolean;
}

/**
 * Counts what a filter matches in each spot (read-only), asks once unless `--yes`, then deletes through the runtime
 * spot (rows and the blobs only they used), and reports. `what` describes the entries: "tagged web".
 */
export async function deleteMatching(options: DeleteOptions, filterOf: (view: CacheView) => EntryFilter, what: string): Promise<void> {
  const plan = eachView(options, view => {
    const filter = filterOf(view);
    return { spot: view.spot, filter, entries: view.query({ ...filter, limit: 0 }).total };
  }).filter(p => p.entries > 0);
  const total = plan.reduce((n, p) => n + p.entries, 0);
  if (total > 0 && !options.yes) await confirm(`Delete ${total} entries ${what} from ${plan.map(p => `spot "${p.spot}"`).join(', ')}?`);
  const deleted = plan.map(p => {
    const spot = openSpot(p.spot, options);
    try {
      return { spot: p.spot, entries: spot.clear(p.filter) };
    } finally {
      spot.close();
    }
  });
  if (options.json) return printJson({ deleted });
  process.stdout.write(`deleted ${deleted.reduce((n, d) => n + d.entries, 0)} entries ${what}\n`);
}

/** Asks on the terminal; without one, refuses (a script must say --yes). */
async function confirm(question: string): Promise<void> {
  if (!process.stdin.isTTY) fail(`${question} Not asked: the input is not a terminal. Pass --yes to confirm.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answer = await rl.question(`${question} [y/N] `);
  rl.close();
  if (!/^y(es)?$/i.test(answer.trim())) fail('nothing deleted');
}
