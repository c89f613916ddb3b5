import type { Plugin } from 'rollup';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { deferredPlugin } from './deferred.js';

/** `plugins: [beautyspot()]` in rollup.config.js, before the plugin that strips TypeScript. */
const rollup: (options?: BeautyspotPluginOptions) => Plugin = options => deferredPlugin('rollup', options) as Plugin;
export default rollup;
