import { fileURLToPath } from 'node:url';

/**
 * beautyspot's own modules — the runtime generated code imports, the compiler, the CLI — built (dist/) or run from
 * source: never compiled as a user's code. A linked checkout (npm link, workspaces, the tests' fixtures) resolves to
 * paths outside node_modules, and the runtime's text holds `cachedRun(`.
 */
export const OWN_CODE_URLS = ['runtime/', 'plugin/', 'src/'].map(dir => new URL(`../${dir}`, import.meta.url).href);

/** The same directories as a file-path pattern, for the bundlers' filters. */
export const OWN_CODE = new RegExp(`^(?:${OWN_CODE_URLS.map(url => fileURLToPath(url).replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|')})`);
