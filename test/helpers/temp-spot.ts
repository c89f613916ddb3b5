import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { Spot } from '../../runtime/index.js';
import type { SpotOptions } from '../../runtime/index.js';

/** A fresh temp directory per call, removed when the test finishes (call it inside a test). */
export function tempDir(prefix = 'bs-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh spot in a fresh temp directory, closed and removed when the test finishes (call it inside a test). */
export function tempSpot(options: SpotOptions = {}, name = 'test'): Spot {
  const dir = mkdtempSync(join(tmpdir(), 'bs-spot-'));
  const spot = new Spot(name, { dir, ...options });
  onTestFinished(() => {
    spot.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return spot;
}
