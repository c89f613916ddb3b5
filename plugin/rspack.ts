import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rspack.config.js; it runs as a pre loader, before `builtin:swc-loader`. */
export default beautyspot.rspack;
