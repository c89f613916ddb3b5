import { register } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * `beautyspot run script.ts [args…]`: registers the loader in this process and imports the script, which
 * sees `process.argv` as if run by `node script.ts args…`; its exit code is the process's.
 */
export async function runCommand(script: string, args: string[]): Promise<void> {
  process.setSourceMapsEnabled(true);
  register('../../plugin/loader-hooks.js', import.meta.url);
  const path = resolve(script);
  process.argv = [process.argv[0]!, path, ...args];
  await import(pathToFileURL(path).href);
}
