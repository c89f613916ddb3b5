import type { Plugin } from 'vite';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { deferredPlugin } from './deferred.js';

/** `plugins: [beautyspot()]` in vite.config.ts (and vitest). */
const vite: (options?: BeautyspotPluginOptions) => Plugin = options => deferredPlugin('vite', options) as Plugin;
export default vite;
