import type { Spot } from '../../runtime/spot/spot.js';
import type { CacheView } from '../cache/cache-view.js';
import { openSpot, spotNames, type CacheOptions } from '../cache/locate.js';
import { openView } from '../cache/open-view.js';
import { HttpError } from './http.js';

/**
 * The read-only views of the cache's spots, opened on first use and kept (a spot without a file is looked for
 * again at each use, so one a pipeline creates shows up), and the runtime Spots that changes go through.
 */
export class SpotViews {
  private readonly views = new Map<string, CacheView>();

  constructor(private readonly options: CacheOptions) {}

  names(): string[] {
    return spotNames(this.options);
  }

  /** A known spot's name, else a 404 listing them (names reach file paths: only those of the cache are opened). */
  checked(name: string | null): string {
    const names = this.names();
    if (name === null || !names.includes(name)) {
      throw new HttpError(404, `[beautyspot] no spot "${name ?? ''}" in this cache; its spots: ${names.join(', ')}.`);
    }
    return name;
  }

  view(name: string): CacheView | undefined {
    let view = this.views.get(name);
    if (!view) {
      view = openView(name, this.options);
      if (view) this.views.set(name, view);
    }
    return view;
  }

  /** Runs a change on a runtime Spot opened for it (the store and blobs a pipeline would use), closed after. */
  change<T>(name: string, apply: (spot: Spot) => T): T {
    const spot = openSpot(name, this.options);
    try {
      return apply(spot);
    } finally {
      spot.close();
    }
  }

  close(): void {
    for (const view of this.views.values()) view.close();
    this.views.clear();
  }
}
