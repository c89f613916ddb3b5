/**
 * Zero-cost debug logging: `createDebug('beautyspot:call')` returns undefined unless DEBUG enables the
 * namespace (`DEBUG=beautyspot*`, `DEBUG=beautyspot:call`), so call sites are `debug?.(…)`.
 */
export function createDebug(namespace: string): ((...args: unknown[]) => void) | undefined {
  const patterns = (process.env.DEBUG ?? '').split(/[\s,]+/).filter(Boolean);
  const enabled = patterns.some(p => !p.startsWith('-') && new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(namespace));
  if (!enabled) return undefined;
  return (...args: unknown[]) => console.error(`${namespace}`, ...args);
}

/** Warnings users should see, printed once per distinct message. */
const warned = new Set<string>();

export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}
