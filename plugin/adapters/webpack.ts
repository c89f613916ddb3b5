import type { WebpackPluginInstance } from 'webpack';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in webpack.config.js; it runs as a pre loader, before the TypeScript loader. */
const webpack: (options?: BeautyspotPluginOptions) => WebpackPluginInstance = beautyspot.webpack;
export default webpack;
