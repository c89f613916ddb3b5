import type { Plugin } from 'rolldown';
import type { BeautyspotPluginOptions } from './plugin-options.js';
import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in rolldown.config.ts (rolldown strips TypeScript itself). */
const rolldown: (options?: BeautyspotPluginOptions) => Plugin = beautyspot.rolldown;
export default rolldown;
