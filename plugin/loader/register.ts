import { registerLoader } from './register-loader.js';

// `node --import beautyspot/register script.ts`: TypeScript scripts run with their marked functions cached.
await registerLoader();
