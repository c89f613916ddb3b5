import type { Plugin } from 'rollup';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rollup.config.js, before the plugin that strips TypeScript. */
const rollup: (options?: BeautyspotPluginOptions) => Plugin = beautyspot.rollup;
export default rollup;
