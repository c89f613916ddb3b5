import { Command, InvalidArgumentError } from 'commander';
import { loadCodecModule } from '../cache/value-preview.js';
import { DEFAULT_PORT, startUi } from '../ui/server.js';

interface UiCommandOptions {
  port?: number;
  dir?: string;
  spot?: string;
  codec?: string;
}

function portOption(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`a port is an integer from 0 to 65535, not "${value}".`);
  return port;
}

export const uiCommand = new Command('ui')
  .description('serve the dashboard on 127.0.0.1 and print its URL (with its token); opens nothing, Ctrl-C stops it')
  .option('--port <port>', `the port (default ${DEFAULT_PORT}, or a free one when it is taken; 0: a free one)`, portOption)
  .option('--dir <dir>', 'the cache directory (default: $BEAUTYSPOT_DIR, else .beautyspot/ at the project root)')
  .option('--spot <name>', 'only this spot (default: every spot of the cache, with a switcher)')
  .option('--codec <module>', 'a module to import first, which registers the types the values use (registerType)')
  .action(async (options: UiCommandOptions) => {
    if (options.codec) await loadCodecModule(options.codec);
    const ui = await startUi({ ...options, codecModule: options.codec });
    process.stdout.write(`beautyspot ui: ${ui.url}\n`);
    const stop = (): void => {
      process.stdout.write('beautyspot ui: stopped\n');
      void ui.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
