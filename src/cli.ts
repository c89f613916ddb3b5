#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { clearCommand } from './commands/clear.js';
import { EXIT } from './commands/cache-command.js';
import { exportCommand } from './commands/export.js';
import { gcCommand } from './commands/gc.js';
import { importCommand } from './commands/import.js';
import { lsCommand } from './commands/ls.js';
import { pruneCommand } from './commands/prune.js';
import { runCommand } from './commands/run.js';
import { showCommand } from './commands/show.js';
import { statsCommand } from './commands/stats.js';
import { uiCommand } from './commands/ui.js';
import { whyCommand } from './commands/why.js';
import { packageVersion } from './version.js';

const program = new Command('beautyspot')
  .description('A persistent result cache for TypeScript functions.')
  .version(packageVersion(), '-v, --version')
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

const COMMANDS = [lsCommand, showCommand, statsCommand, whyCommand, clearCommand, gcCommand, pruneCommand, exportCommand, importCommand, uiCommand];
for (const command of COMMANDS) program.addCommand(command);

const USAGE_ERRORS = new Set(['commander.unknownOption', 'commander.unknownCommand', 'commander.missingArgument',
  'commander.optionMissingArgument', 'commander.missingMandatoryOptionValue', 'commander.invalidArgument', 'commander.excessArguments',
  'commander.conflictingOption']);

// Usage errors (unknown command or option, a bad value) exit 2, so scripts can tell them from a failed command (1).
program.exitOverride();
for (const command of program.commands) command.exitOverride().showHelpAfterError('(add --help for usage)');
try {
  await program.parseAsync();
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  process.exit(USAGE_ERRORS.has(error.code) ? EXIT.usage : error.exitCode);
}
