import { register } from 'node:module';

// `node --import beautyspot/register script.ts`: TypeScript scripts run with their marked functions cached.
// Stack traces point at the TypeScript source.
process.setSourceMapsEnabled(true);
register('./loader-hooks.js', import.meta.url);
