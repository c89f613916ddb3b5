import type { Plugin } from 'rolldown';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { deferredPlugin } from './deferred.js';

/** `plugins: [beautyspot()]` in rolldown.config.ts (rolldown strips TypeScript itself). */
const rolldown: (options?: BeautyspotPluginOptions) => Plugin = options => deferredPlugin('rolldown', options) as Plugin;
export default rolldown;
