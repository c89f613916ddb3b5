/**
 * Access modes, pecapiku's read/execute/write letters.
 * | mode  | reads the cache | runs the function on a miss | stores the result |
 */
export const ACCESS_MODES = {
  rew: { read: true, exec: true, write: true }, //  default
  r: { read: true, exec: false, write: false }, //  cache only: a miss throws CacheMissError
  ew: { read: false, exec: true, write: true }, // refresh
  e: { read: false, exec: true, write: false }, //  bypass
  re: { read: true, exec: true, write: false }, // run on a miss but do not store
} as const;

export type AccessMode = keyof typeof ACCESS_MODES;
export type Access = (typeof ACCESS_MODES)[AccessMode];

export function parseAccess(value: unknown, what: string): Access {
  if (typeof value === 'string' && Object.hasOwn(ACCESS_MODES, value)) return ACCESS_MODES[value as AccessMode];
  throw new TypeError(`[beautyspot] ${what} must be one of ${Object.keys(ACCESS_MODES).map(m => `"${m}"`).join(', ')} ` +
    `(r = read, e = execute, w = write), got ${JSON.stringify(value)}`);
}
