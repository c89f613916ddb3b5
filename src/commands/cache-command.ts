import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../../runtime/duration.js';
import type { CacheView } from '../cache/cache-view.js';
import { spotNames, type CacheOptions } from '../cache/locate.js';
import { openView } from '../cache/open-view.js';
import { EXIT } from './exit-codes.js';

export interface CommonOptions extends CacheOptions {
  json?: boolean;
}

/** A cache command with the options every one takes: `--dir`, `--spot`, and `--json` where the output is data. */
export function cacheCommand(name: string, description: string, json = true): Command {
  const command = new Command(name)
    .description(description)
    .option('--dir <dir>', 'the cache directory (default: $BEAUTYSPOT_DIR, else .beautyspot/ at the project root)')
    .option('--spot <name>', 'only this spot (default: every spot of the cache)');
  if (json) command.option('--json', 'print JSON for scripts instead of a table');
  return command;
}

/** Opens a read-only view of each spot of the cache in turn (spots without a file are skipped), closing each after. */
export function eachView<T>(options: CacheOptions, read: (view: CacheView) => T): T[] {
  const results: T[] = [];
  for (const spot of spotNames(options)) {
    const view = openView(spot, options);
    if (!view) continue;
    try {
      results.push(read(view));
    } finally {
      view.close();
    }
  }
  return results;
}

/**
 * The function ids a name the user typed stands for: the id itself, else ids ending in `#name` or `.name`
 * (`fetchPage` for `src/pipeline.ts#fetchPage`).
 */
export function matchFunction(ids: string[], name: string): string[] {
  if (ids.includes(name)) return [name];
  return ids.filter(id => id.endsWith(`#${name}`) || id.endsWith(`.${name}`));
}

/** The one function id in this view a typed name stands for, or an error naming the candidates. */
export function resolveFunction(view: CacheView, name: string | undefined): { fn?: string; error?: string } {
  if (name === undefined) return {};
  const ids = view.functions().map(f => f.fn);
  const matches = matchFunction(ids, name);
  if (matches.length === 1) return { fn: matches[0] };
  if (matches.length === 0) return { fn: name }; // nothing stored under it: an empty answer, not an error
  return { error: `"${name}" matches several functions in spot "${view.spot}": ${matches.join(', ')}. Give the full id.` };
}

export function durationOption(value: string): number {
  try {
    return parseDuration(value, 'the duration');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message.replace('[beautyspot] ', ''));
  }
}

export function countOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number ≥ 0, got "${value}"`);
  return n;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A failure the command explains: printed to stderr, exit code 1. */
export function fail(message: string): never {
  process.stderr.write(`beautyspot: ${message}\n`);
  process.exit(EXIT.failed);
}
