import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in vite.config.ts (and vitest). */
export default beautyspot.vite;
