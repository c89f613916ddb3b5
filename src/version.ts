import { createRequire } from 'node:module';

/** This package's version, from its package.json (found by the package's own name, from src/ or dist/src/ alike). */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('beautyspot/package.json') as { version: string }).version;
}
