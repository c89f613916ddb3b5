// `node webpack-build.mjs <webpack|rspack> <config file>`: builds with a config file as the webpack and rspack
// CLIs would (neither CLI is installed). Errors and warnings go to stderr; an error fails the build.
import { pathToFileURL } from 'node:url';

const [bundler, configFile] = process.argv.slice(2);
const build = bundler === 'rspack' ? (await import('@rspack/core')).rspack : (await import('webpack')).default;
const config = (await import(pathToFileURL(configFile).href)).default;

build(config, (error, stats) => {
  if (error) throw error;
  if (stats.hasErrors() || stats.hasWarnings()) console.error(stats.toString({ all: false, errors: true, warnings: true }));
  if (stats.hasErrors()) process.exitCode = 1;
});
