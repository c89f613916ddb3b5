import { writeSync } from 'node:fs';
import { lazyBuiltin } from './lazy-builtin.js';

/**
 * Zero-cost debug logging: `createDebug('beautyspot:call')` returns undefined unless DEBUG enables the
 * namespace (`DEBUG=beautyspot*`, `DEBUG=beautyspot:call`), so call sites are `debug?.(…)`.
 */
export function createDebug(namespace: string): ((...args: unknown[]) => void) | undefined {
  const patterns = (process.env.DEBUG ?? '').split(/[\s,]+/).filter(Boolean);
  const enabled = patterns.some(p => !p.startsWith('-') && new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(namespace));
  if (!enabled) return undefined;
  // node:util only now: it cost ≈ 2.7 ms of the runtime's import on Node 24, for a log most runs never write.
  const { format } = lazyBuiltin<typeof import('node:util')>('node:util');
  // A synchronous write: the loader logs from worker threads too (node's hooks worker before Node 22.15, the compile
  // worker), whose console output reaches the process asynchronously and is lost when a short script exits first.
  return (...args: unknown[]) => writeSync(2, `${format(namespace, ...args)}\n`);
}

/** Warnings users should see, printed once per distinct message. */
const warned = new Set<string>();

export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}
