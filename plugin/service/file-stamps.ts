import { readdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a stat says of a file or directory: any write changes it. */
function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.ctimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'missing';
  }
}

function listing(dir: string): string {
  try {
    return readdirSync(dir).sort().join('\0');
  } catch {
    return 'missing';
  }
}

export interface StampChanges {
  /** Files whose stat changed since they were tracked. */
  files: string[];
  /**
   * A file appeared in or vanished from a directory of a tracked file: module resolution, or the package.json a
   * root is found by, may now give another answer. (Editors that save through a rename keep the listing.)
   */
  listings: boolean;
}

/** The stats of the files a compile service's context read, and the listings of their directories. */
export class FileStamps {
  private readonly files = new Map<string, string>();
  private readonly dirs = new Map<string, { stamp: string; listing: string }>();

  /** Starts tracking the files not tracked yet, as they are now. */
  track(files: Iterable<string>): void {
    for (const file of files) {
      if (this.files.has(file)) continue;
      this.files.set(file, stamp(file));
      const dir = dirname(file);
      if (!this.dirs.has(dir)) this.dirs.set(dir, { stamp: stamp(dir), listing: listing(dir) });
    }
  }

  /** What changed since the last call (or since tracking began); the stamps are updated. */
  changes(): StampChanges {
    const files: string[] = [];
    for (const [file, before] of this.files) {
      const now = stamp(file);
      if (now !== before) {
        this.files.set(file, now);
        files.push(file);
      }
    }
    let listings = false;
    for (const [dir, before] of this.dirs) {
      const now = stamp(dir);
      if (now === before.stamp) continue;
      const names = listing(dir);
      if (names !== before.listing) listings = true;
      this.dirs.set(dir, { stamp: now, listing: names });
    }
    return { files, listings };
  }
}
