import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rollup.config.js, before the plugin that strips TypeScript. */
export default beautyspot.rollup;
