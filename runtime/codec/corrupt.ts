import { CorruptEntryError } from '../errors.js';

/** Throws the error for stored bytes that are not a value this codec wrote. */
export function corrupt(what: string): never {
  throw new CorruptEntryError(`[beautyspot] stored value is corrupt: ${what}`);
}

/** Any failure while decoding, as the `CorruptEntryError` the call path turns into a miss. */
export function asCorrupt(error: unknown): CorruptEntryError {
  if (error instanceof CorruptEntryError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CorruptEntryError(`[beautyspot] stored value is corrupt: ${message}`, { cause: error });
}
