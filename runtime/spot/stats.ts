import type { StoreTotals } from '../store/store.js';

/** Counters of one spot in this process. */
export interface SessionStats {
  hits: number;
  misses: number;
  /** Entries written. */
  writes: number;
  /** Reads, decodes, encodes or writes that failed (each also reported through onError). */
  errors: number;
  bytesRead: number;
  bytesWritten: number;
  /** Time spent running functions on misses, in ms. */
  computeMs: number;
  /** Time the hits saved: the recorded compute time of each entry served, in ms. */
  savedMs: number;
}

export interface SpotStats extends SessionStats {
  name: string;
  /** What the store holds, across every run. */
  stored: StoreTotals;
}

export function emptySession(): SessionStats {
  return { hits: 0, misses: 0, writes: 0, errors: 0, bytesRead: 0, bytesWritten: 0, computeMs: 0, savedMs: 0 };
}

/** `default: 40 hits, 10 misses, 1.2 MB written, saved 12.3 s` */
export function summaryLine(name: string, s: SessionStats): string {
  return `[beautyspot] ${name}: ${s.hits} hits, ${s.misses} misses, ${formatBytes(s.bytesWritten)} written, ` +
    `saved ${formatMs(s.savedMs)}${s.errors ? `, ${s.errors} errors` : ''}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}
