import { BeautyspotError, messageOf } from '../errors.js';

/** Redis did not answer: not connected, refused the command, or slower than the command timeout. The caller's miss. */
export class RedisUnavailableError extends BeautyspotError {
  override name = 'RedisUnavailableError';
  constructor(readonly redacted: string, reason: unknown) {
    super(`[beautyspot] Redis at ${redacted} did not answer: ${messageOf(reason)}. ` +
      'Check that the server is running and reachable from here (the call ran uncached; the store reconnects by itself).',
    { cause: reason });
  }
}
