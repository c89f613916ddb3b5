import type { Plugin } from 'vite';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in vite.config.ts (and vitest). */
const vite: (options?: BeautyspotPluginOptions) => Plugin = beautyspot.vite;
export default vite;
