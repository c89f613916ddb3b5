import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in webpack.config.js; it runs as a pre loader, before the TypeScript loader. */
export default beautyspot.webpack;
