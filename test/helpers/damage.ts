// Ways to damage a cache on disk, for the corruption and opening tests. Random ones take a seeded Rand, so a
// failing case can be replayed.
import Database from 'better-sqlite3';
import { hash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Rand } from './arbitraries.js';

function randomBytes(rand: Rand, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(rand() * 256)));
}

/** Writes `runs` runs of 1–64 random bytes, each at a random offset from `from` on. */
export function scribble(file: string, rand: Rand, runs: number, from = 0): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    for (let i = 0; i < runs; i++) {
      const length = 1 + Math.floor(rand() * 64);
      writeSync(fd, randomBytes(rand, length), 0, length, from + Math.floor(rand() * Math.max(1, size - from - length)));
    }
  } finally {
    closeSync(fd);
  }
}

/** Random bytes over the first `length` bytes (SQLite's header is 100 bytes, a WAL's 32). */
export function garbleStart(file: string, rand: Rand, length: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, randomBytes(rand, length), 0, length, 0);
  } finally {
    closeSync(fd);
  }
}

/** Cuts the file to `fraction` of its size. */
export function truncateToFraction(file: string, fraction: number): void {
  truncateSync(file, Math.floor(statSync(file).size * fraction));
}

/** Runs SQL on a closed cache file with a connection of its own (`PRAGMA user_version = 4`, `DROP TABLE access`). */
export function execOn(file: string, sql: string): void {
  const db = new Database(file);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

export function sha256Of(file: string): string {
  return hash('sha256', readFileSync(file), 'hex');
}

/** The blob files of a blob directory (`<dir>/<xx>/<sha256>`), sorted. */
export function blobFiles(blobDir: string): string[] {
  let shards: string[];
  try {
    shards = readdirSync(blobDir);
  } catch {
    return [];
  }
  return shards.flatMap(shard => readdirSync(join(blobDir, shard)).filter(name => /^[0-9a-f]{64}$/.test(name)).map(name => join(blobDir, shard, name))).sort();
}
