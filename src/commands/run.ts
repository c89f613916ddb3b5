import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { registerLoader } from '../../plugin/loader/register-loader.js';
import { progressMode, startProgress } from '../progress/run-progress.js';

/**
 * `beautyspot run script.ts [args…]`: registers the loader in this process and imports the script, which
 * sees `process.argv` as if run by `node script.ts args…`; its exit code is the process's. On a terminal a live
 * status line shows the cached calls; at exit a summary per spot (unless `--quiet` or BEAUTYSPOT_PROGRESS=0).
 */
export async function runCommand(script: string, args: string[], options: { quiet?: boolean }, command: Command): Promise<void> {
  const path = resolve(script);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    const where = path === script ? '' : ` (${path})`;
    command.error(stat ? `error: the script is not a file: ${script}${where}` : `error: no such script: ${script}${where}`);
  }
  await runScript(path, args, options.quiet === true);
}

/** Runs the script at `path` (absolute, a file) as `runCommand` describes. */
export async function runScript(path: string, args: string[], quiet: boolean): Promise<void> {
  const mode = progressMode(quiet, process.env, process.stderr);
  if (mode !== 'off') startProgress(mode);
  await registerLoader();
  process.argv = [process.argv[0]!, path, ...args];
  await import(pathToFileURL(path).href);
}
