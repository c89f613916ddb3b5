const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

/** `30s`, `10m`, `12h`, `7d`, `2w`, `500ms`, or a number of milliseconds. */
export type Duration = number | `${number}${keyof typeof UNIT_MS}`;

export function parseDuration(value: unknown, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`[beautyspot] ${what} must be a positive number of milliseconds, got ${value}`);
    return value;
  }
  const match = typeof value === 'string' ? DURATION.exec(value.trim()) : null;
  if (!match) {
    throw new TypeError(`[beautyspot] ${what} must be a duration like "30s", "10m", "12h" or "7d" (or milliseconds), got ${JSON.stringify(value)}`);
  }
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  if (ms <= 0) throw new RangeError(`[beautyspot] ${what} must be longer than zero, got "${value}"`);
  return ms;
}
