import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './fixture-project.js';

// The built runtime (dist/, bundled by scripts/bundle-runtime.js as `npm run build` and the test setup do): its
// public entries are bundles that share chunks, so importing the runtime links a handful of files, and a program
// importing several entries still has one copy of each class.
const RUNTIME = join(REPO, 'dist', 'runtime');
const ENTRIES = ['index.js', 'redis/index.js', 's3/index.js'];

/** The files a module links statically, transitively (node: built-ins aside), as paths under dist/runtime. */
function linked(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    const name = relative(RUNTIME, file);
    if (seen.has(name)) return;
    seen.add(name);
    const code = readFileSync(file, 'utf8');
    for (const [, specifier] of code.matchAll(/^(?:import|export)\b[^"]*"([^"]+)";$/gm)) {
      if (specifier.startsWith('node:')) continue;
      expect(specifier, `${name} imports a package statically`).toMatch(/^\.\.?\//);
      visit(join(dirname(file), specifier!));
    }
  };
  visit(join(RUNTIME, entry));
  return seen;
}

describe('the bundled runtime', () => {
  it.each(ENTRIES)('%s links only itself and shared chunks', entry => {
    const files = [...linked(entry)];
    expect(files[0]).toBe(entry);
    expect(files.slice(1).every(file => file.startsWith('chunks/'))).toBe(true);
    expect(files.length).toBeLessThanOrEqual(5);
  });

  it('the entries share their classes: an error of beautyspot/redis is a BeautyspotError of beautyspot', async () => {
    const runtime = await import(join(RUNTIME, 'index.js')) as typeof import('../../runtime/index.js');
    const redis = await import(join(RUNTIME, 'redis/index.js')) as typeof import('../../runtime/redis/index.js');
    expect(new redis.RedisUnavailableError('redis://h:1', new Error('refused'))).toBeInstanceOf(runtime.BeautyspotError);
  });
});
