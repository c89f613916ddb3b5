// Trial "limit": one rate-limit acquisition that does not wait, as the call path makes it (acquireSync on the
// spot's limiter), booked in the spot's SQLite file (shared by the machine's processes: one immediate
// transaction) vs in this process (MemoryLimitState). The limits are far above the rate reached, so no call waits.
import { runChild } from '../lib/child.js';
import { interleave } from '../lib/timing.js';
import { loadRuntime } from '../lib/runtime.js';

/** A limit no loop reaches: a minute's worth of requests (and tokens) may pass back to back. */
const UNREACHED = { rpm: 1e9, burst: 1e9 };
const UNREACHED_TOKENS = { ...UNREACHED, tpm: 1e12, burstTokens: 1e12 };

runChild(async ({ dir, rounds, ops }) => {
  const { Spot, RateLimiter } = await loadRuntime();
  const spot = new Spot('limit', { dir, limit: UNREACHED, limits: { tokens: UNREACHED_TOKENS } });
  spot.parts(); // the store is open before the first booking, as in the call path
  const shared = spot.limiter(undefined);
  const sharedTokens = spot.limiter('tokens');
  const memory = new RateLimiter(UNREACHED);
  const memoryTokens = new RateLimiter(UNREACHED_TOKENS);
  const loop = (limiter, cost) => () => {
    for (let i = 0; i < ops; i++) limiter.acquireSync(cost);
    return ops;
  };
  const result = interleave({
    'memory: rpm': loop(memory, 1),
    'memory: rpm + tpm': loop(memoryTokens, 100),
    'sqlite: rpm': loop(shared, 1),
    'sqlite: rpm + tpm': loop(sharedTokens, 100),
  }, { rounds, ops });
  const buckets = spot.parts().store.db.prepare('SELECT count(*) FROM limits').pluck().get();
  spot.close();
  if (buckets !== 3) throw new Error(`limit: expected the spot's 3 buckets in its file, found ${buckets}`);
  return result;
});
