import { Command, CommanderError } from 'commander';
import { EXIT } from './commands/exit-codes.js';
import type { runCommand } from './commands/run.js';
import { packageVersion } from './version.js';

/** Each command's module, loaded only when the command is chosen (or all of them, for the help that lists them). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  ls: async () => (await import('./commands/ls.js')).lsCommand,
  show: async () => (await import('./commands/show.js')).showCommand,
  stats: async () => (await import('./commands/stats.js')).statsCommand,
  why: async () => (await import('./commands/why.js')).whyCommand,
  clear: async () => (await import('./commands/clear.js')).clearCommand,
  gc: async () => (await import('./commands/gc.js')).gcCommand,
  prune: async () => (await import('./commands/prune.js')).pruneCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  import: async () => (await import('./commands/import.js')).importCommand,
  ui: async () => (await import('./commands/ui.js')).uiCommand,
};

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
  .action(async (...args: Parameters<typeof runCommand>) => (await import('./commands/run.js')).runCommand(...args));

// `beautyspot run` starts a user's script: it loads no other command (nor, through them, the cache views and the UI).
const chosen = process.argv[2] ?? '';
const loaders = chosen === 'run' ? [] : Object.hasOwn(COMMANDS, chosen) ? [COMMANDS[chosen]!] : Object.values(COMMANDS);
for (const command of await Promise.all(loaders.map(load => load()))) program.addCommand(command);

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
