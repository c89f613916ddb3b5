import { statSync } from 'node:fs';
import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';

/**
 * `beautyspot run script.ts [args…]`: registers the loader in this process and imports the script, which
 * sees `process.argv` as if run by `node script.ts args…`; its exit code is the process's.
 */
export async function runCommand(script: string, args: string[], _options: unknown, command: Command): Promise<void> {
  const path = resolve(script);
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    const where = path === script ? '' : ` (${path})`;
    command.error(stat ? `error: the script is not a file: ${script}${where}` : `error: no such script: ${script}${where}`);
  }
  process.setSourceMapsEnabled(true);
  register('../../plugin/loader-hooks.js', import.meta.url);
  process.argv = [process.argv[0]!, path, ...args];
  await import(pathToFileURL(path).href);
}
