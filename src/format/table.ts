/** A plain-text table: a header row, then rows; columns padded, numbers (align 'r') right-aligned. */
export function table(headers: string[], rows: string[][], align: ('l' | 'r')[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** `12s`, `5m`, `3h`, `4d`: how long ago (or, for a future time, how long until). */
export function formatSpan(ms: number): string {
  const s = Math.abs(ms) / 1000;
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export function formatAge(at: number, now = Date.now()): string {
  return `${formatSpan(now - at)} ago`;
}

/** Time left of an entry: "never", "expired" or "in 3h". */
export function formatTtl(expiresAt: number | null, now = Date.now()): string {
  if (expiresAt === null) return 'never';
  return expiresAt <= now ? 'expired' : `in ${formatSpan(expiresAt - now)}`;
}

export function formatPercent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${((100 * part) / whole).toFixed(1)}%`;
}

/** The short form of a key shown in lists: enough characters to find it again with `show`. */
export function shortKey(key: string): string {
  return key.slice(0, 12);
}
