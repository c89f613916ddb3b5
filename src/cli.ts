#!/usr/bin/env node
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `beautyspot run [-q] script args…` with a script that is a file starts it without loading the command-line
 * parser (≈ 13 ms of a script's start-up); everything else, its errors and help included, goes through it.
 */
function plainRun(argv: string[]): { path: string; args: string[]; quiet: boolean } | undefined {
  if (argv[0] !== 'run') return undefined;
  const quiet = argv[1] === '-q' || argv[1] === '--quiet';
  const script = argv[quiet ? 2 : 1];
  if (script === undefined || script.startsWith('-')) return undefined;
  const path = resolve(script);
  return statSync(path, { throwIfNoEntry: false })?.isFile() ? { path, args: argv.slice(quiet ? 3 : 2), quiet } : undefined;
}

const run = plainRun(process.argv.slice(2));
if (run) await (await import('./commands/run.js')).runScript(run.path, run.args, run.quiet);
else await import('./cli-program.js');
