import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultCacheDir } from '../../runtime/project-root.js';
import { Spot } from '../../runtime/spot/spot.js';

/** The options every cache command takes: where the cache is, and which spot. */
export interface CacheOptions {
  /** The cache directory; default $BEAUTYSPOT_DIR, else `.beautyspot/` at the project root (as the runtime finds it). */
  dir?: string;
  /** One spot; default every spot found. */
  spot?: string;
}

export function cacheDir(options: CacheOptions): string {
  return resolve(options.dir ?? defaultCacheDir());
}

/** The spots of the cache: `--spot`, else one per `<name>.sqlite` file of the directory (sorted), else "default". */
export function spotNames(options: CacheOptions): string[] {
  if (options.spot) return [options.spot];
  let files: string[] = [];
  try {
    files = readdirSync(cacheDir(options));
  } catch {
    // no cache directory yet
  }
  const names = files.filter(f => f.endsWith('.sqlite')).map(f => f.slice(0, -'.sqlite'.length)).sort();
  return names.length > 0 ? names : ['default'];
}

/**
 * A runtime Spot for the commands that change the cache (clear, gc, prune, import): the same store and blob store a
 * pipeline would get, from the environment or the cache directory.
 */
export function openSpot(name: string, options: CacheOptions): Spot {
  return new Spot(name, { dir: cacheDir(options) });
}
