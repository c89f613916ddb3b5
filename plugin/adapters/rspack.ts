import type { RspackPluginInstance } from '@rspack/core';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rspack.config.js; it runs as a pre loader, before `builtin:swc-loader`. */
const rspack: (options?: BeautyspotPluginOptions) => RspackPluginInstance = beautyspot.rspack;
export default rspack;
