import { beautyspot } from './unplugin.js';

/** `plugins: [beautyspot()]` in esbuild's build options. */
export default beautyspot.esbuild;
