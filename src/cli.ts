#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { runCommand } from './commands/run.js';

const program = new Command('beautyspot')
  .description('A persistent result cache for TypeScript functions.')
  .version(readVersion(), '-v, --version')
  .enablePositionalOptions()
  .showHelpAfterError('(add --help for usage)');

program
  .command('run')
  .description('run a TypeScript (or JavaScript) script with its marked functions cached')
  .argument('<script>', 'the script, e.g. src/pipeline.ts')
  .argument('[args...]', 'arguments passed to the script')
  .option('-q, --quiet', 'no live status line and no summary (also BEAUTYSPOT_PROGRESS=0)')
  .helpOption('-h, --help', 'show this help (options after the script go to the script)')
  .passThroughOptions()
  .allowUnknownOption()
  .action(runCommand);

await program.parseAsync();

function readVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
