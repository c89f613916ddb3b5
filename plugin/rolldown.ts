import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rolldown.config.ts (rolldown strips TypeScript itself). */
export default beautyspot.rolldown;
