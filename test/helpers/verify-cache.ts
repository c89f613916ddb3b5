import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { linesOf, startNode } from './node-child.js';

const VERIFIER = fileURLToPath(new URL('../reliability/verify.mjs', import.meta.url));

/** The SQLite file of the spot that test/reliability/workload.mjs caches into. */
export function reliabilityDb(dir: string): string {
  return join(dir, 'reliability.sqlite');
}

/** `PRAGMA integrity_check` of a closed SQLite file, opened read-only: "ok", or the problems it lists. */
export function integrityCheck(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.pragma('integrity_check') as { integrity_check: string }[]).map(row => row.integrity_check).join('\n');
  } finally {
    db.close();
  }
}

export interface VerifyReport {
  probed: number;
  hits: number;
  misses: number;
  /** Bodies that ran (access mode `r` must run none). */
  executed: number;
  /** Required calls that missed. */
  lost: number[];
  /** Calls whose hit held another value than the function returns. */
  wrong: number[];
  /** Anything thrown other than CacheMissError. */
  errors: string[];
}

/**
 * Runs test/reliability/verify.mjs in a fresh process with BEAUTYSPOT_ACCESS=r: it probes workload calls
 * 0..count-1 and reports which hit, which of `required` missed, and any wrong value. The verifier itself must
 * exit cleanly and print nothing on stderr (a warning means a read or decode failed).
 */
export async function verifyCache(dir: string, count: number, required: Iterable<number>): Promise<VerifyReport> {
  const request = join(dir, 'verify-request.json');
  writeFileSync(request, JSON.stringify({ count, required: [...required] }));
  const { code, timedOut, stdout, stderr } = await startNode(VERIFIER, {
    args: [dir, request], env: { BEAUTYSPOT_ACCESS: 'r' }, timeoutMs: 60_000,
  }).result;
  expect(timedOut, 'the verifier timed out').toBe(false);
  expect(linesOf(stderr), 'the verifier printed on stderr').toEqual([]);
  expect(code, 'the verifier failed').toBe(0);
  return JSON.parse(stdout) as VerifyReport;
}
