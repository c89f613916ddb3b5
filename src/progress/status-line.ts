import { formatMs } from '../../runtime/spot/stats.js';
import type { Running, RunTally } from './run-tally.js';

/**
 * The live status line of `beautyspot run`:
 * `[beautyspot] 12 calls: 8 hits, 4 misses · saved 3.2 s · 2 rate-limit waits (1.5 s) · running for 1.2 s: src/a.ts#f (+1 more)`;
 * undefined before the first event. The times come before the function id, which a narrow terminal cuts first.
 */
export function statusLine(tally: RunTally, now: number): string | undefined {
  if (tally.spots.size === 0) return undefined;
  const { hits, misses, savedMs } = tally.totals();
  const parts = [`[beautyspot] ${plural(hits + misses, 'call')}: ${plural(hits, 'hit')}, ${plural(misses, 'miss', 'misses')}`, `saved ${formatMs(savedMs)}`];
  if (tally.waits > 0) parts.push(`${plural(tally.waits, 'rate-limit wait')} (${formatMs(tally.waitedMs)})`);
  let oldest: Running | undefined;
  for (const r of tally.running.values()) if (!oldest || r.since < oldest.since) oldest = r;
  if (oldest) {
    const more = tally.running.size > 1 ? ` (+${tally.running.size - 1} more)` : '';
    parts.push(oldest.waitsUntil !== undefined && oldest.waitsUntil > now
      ? `waiting ${formatMs(oldest.waitsUntil - now)} for the rate limit: ${oldest.fn}${more}`
      : `running for ${formatMs(now - oldest.since)}: ${oldest.fn}${more}`);
  }
  return parts.join(' · ');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
