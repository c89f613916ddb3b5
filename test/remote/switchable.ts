// Fault injection around real parts: a real SqliteStore / FsBlobs as the "remote", behind a switch that makes
// every call fail the way an unreachable server does. The real Redis and S3 outages are tested in integration.
import type { BlobStore } from '../../runtime/blobs/blob-store.js';
import type { Leases } from '../../runtime/store/leases.js';
import type { LimitState } from '../../runtime/limit/limit-state.js';
import type { Store } from '../../runtime/store/store.js';

export interface Switch {
  up: boolean;
  /** Calls that reached the remote (up or not). */
  calls: number;
}

export function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6390'), { code: 'ECONNREFUSED' });
}

/** Every method of `real` (and the async forms, when asked) behind the switch; the async forms fail asynchronously. */
function behind<T extends object>(real: T, power: Switch, asyncForms: Record<string, string>, extra: object = {}): T {
  const gate = (): void => {
    power.calls++;
    if (!power.up) throw refused();
  };
  return new Proxy(real, {
    get(target, name, receiver) {
      if (typeof name === 'string' && name in asyncForms) {
        const method = Reflect.get(target, asyncForms[name]!, target) as (...args: unknown[]) => unknown;
        return async (...args: unknown[]) => {
          await Promise.resolve();
          gate();
          return method.apply(target, args);
        };
      }
      if (name in extra) return Reflect.get(extra, name);
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        gate();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
    has(target, name) {
      return (typeof name === 'string' && name in asyncForms) || name in extra || Reflect.has(target, name);
    },
  });
}

export function switchableStore(real: Store, power: Switch, options: { async?: boolean; leases?: Leases; limits?: LimitState } = {}): Store {
  const extra: Record<string, unknown> = {};
  if (options.leases) extra.leases = behind(options.leases, power, {});
  if (options.limits) extra.limits = behind(options.limits, power, options.async ? { reserveAsync: 'reserve' } : {});
  return behind(real, power, options.async ? { getAsync: 'get', putAsync: 'put' } : {}, extra);
}

export function switchableBlobs(real: BlobStore, power: Switch, options: { async?: boolean } = {}): BlobStore {
  return behind(real, power, options.async ? { getAsync: 'get', putAsync: 'put' } : {});
}

/** Single-flight leases kept in memory, with expiry: a real implementation of the contract, for one process. */
export class MemoryLeases implements Leases {
  private readonly held = new Map<string, { owner: string; until: number }>();

  acquire(key: string, owner: string, ms: number): boolean {
    const lease = this.held.get(key);
    if (lease && lease.owner !== owner && lease.until > Date.now()) return false;
    this.held.set(key, { owner, until: Date.now() + ms });
    return true;
  }

  renew(key: string, owner: string, ms: number): boolean {
    const lease = this.held.get(key);
    if (!lease || lease.owner !== owner || lease.until <= Date.now()) return false;
    lease.until = Date.now() + ms;
    return true;
  }

  release(key: string, owner: string): void {
    if (this.held.get(key)?.owner === owner) this.held.delete(key);
  }
}
