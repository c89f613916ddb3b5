import { exitSummaryTaken } from './event-hub.js';
import type { Spot } from './spot.js';
import { summaryLine } from './stats.js';

const open = new Set<Spot>();
let watching = false;

/**
 * At process exit, writes each open spot's batched bookkeeping and prints its summary when asked
 * (`summary: true` or $BEAUTYSPOT_SUMMARY=1), unless a tool prints one (`beautyspot run`). Registered on the first
 * open, never at import.
 */
export function watchExit(spot: Spot): void {
  open.add(spot);
  if (watching) return;
  watching = true;
  process.once('exit', () => {
    const summary = process.env.BEAUTYSPOT_SUMMARY === '1';
    const byTool = exitSummaryTaken();
    for (const s of open) {
      s.flushQuietly(); // the process is ending; the hit counts are bookkeeping only
      if (!byTool && (summary || s.wantsSummary)) process.stderr.write(`${summaryLine(s.name, s.session)}\n`);
    }
  });
}
