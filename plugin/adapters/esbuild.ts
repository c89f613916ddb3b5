import type { Plugin } from 'esbuild';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in esbuild's build options. */
const esbuild: (options?: BeautyspotPluginOptions) => Plugin = beautyspot.esbuild;
export default esbuild;
