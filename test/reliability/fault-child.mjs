// Fault child: `node fault-child.mjs <job.json>`, one process of the corruption and fault suites. It makes the
// workload's calls (workload.mjs) against the cache in job.dir one at a time, checks every value, and prints
// one JSON line: what each call did (a hit, or a run whose result was stored or not), wrong values, throws,
// CacheMissErrors, the warnings it printed and the onError events. Actions:
//   calls        calls job.from..job.to-1, prints the outcome, exits (the default)
//   hold         the same without closing, then prints "ready" and waits to be killed (a writer left behind)
//   around-lock  while another process holds the write lock: hits, one miss that meets the lock, the hits
//                again, "busy" (the parent releases the lock), then more misses
//   lock         holds SQLite's write lock on job.file (BEGIN IMMEDIATE): prints "locked", waits for a
//                "release" line on stdin, commits, prints "released"
// job.uid runs the child as that user (and group), dropped before anything is imported; job.waitForGo waits
// for a "go" line on stdin before the first call (the parent sets a resource limit on this pid meanwhile).
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

// A file-size limit (the full-disk fallback) must fail the write, not end the process.
process.on('SIGXFSZ', () => {});

const job = JSON.parse(process.argv[2]);
/** No child outlives this, whatever happens to its parent. */
const MAX_MS = 60_000;
setTimeout(() => process.exit(3), MAX_MS).unref();
/** How many failures of each kind are described in the outcome. */
const MAX_EXAMPLES = 5;

if (job.uid !== undefined) {
  process.setgroups([]);
  process.setgid(job.uid);
  process.setuid(job.uid);
}
// Lines from the parent, kept: one may come before anything waits for it.
const stdinLines = createInterface({ input: process.stdin });
const received = new Set();
const waiting = new Map();
stdinLines.on('line', line => {
  received.add(line.trim());
  waiting.get(line.trim())?.();
});
const lineOnStdin = wanted => (received.has(wanted) ? Promise.resolve() : new Promise(resolve => waiting.set(wanted, resolve)));

if (job.action === 'lock') await holdLock();
else await makeCalls();
stdinLines.close();

async function holdLock() {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(job.file);
  db.exec('BEGIN IMMEDIATE');
  db.prepare("INSERT INTO fn_stats (fn, hits, saved_ms) VALUES ('lock holder', 0, 0) ON CONFLICT (fn) DO NOTHING").run();
  console.log('locked');
  await lineOnStdin('release');
  db.exec('COMMIT');
  db.close();
  console.log('released');
}

async function makeCalls() {
  const { CacheMissError, defineSpot } = await import('../../dist/runtime/index.js');
  const { call, isRight, onExecute, SPOT } = await import('./workload.mjs');
  const warnings = [];
  console.warn = (...parts) => warnings.push(parts.join(' '));
  const events = [];
  let calls = 0;
  const spot = defineSpot(SPOT, {
    dir: job.dir,
    onError: ({ kind, error }) => events.push({ kind, at: calls, code: error?.code, message: String(error?.message ?? error) }),
  });
  const ran = new Set();
  onExecute(id => ran.add(id));
  const outcome = { calls: 0, hits: [], stored: [], notStored: [], wrong: [], throws: [], missErrors: [], slowestMs: 0 };

  const one = async id => {
    const eventsBefore = events.length;
    const start = performance.now();
    ran.delete(id);
    calls++;
    try {
      const value = await call(id);
      if (!isRight(id, value)) outcome.wrong.push(id);
      if (!ran.has(id)) outcome.hits.push(id);
      else if (spot.parts().store.readonly || events.slice(eventsBefore).some(e => ['write', 'encode', 'evict'].includes(e.kind))) outcome.notStored.push(id);
      else outcome.stored.push(id);
    } catch (error) {
      if (error instanceof CacheMissError) outcome.missErrors.push(id);
      else if (outcome.throws.length < MAX_EXAMPLES) outcome.throws.push(`call ${id}: ${error?.stack ?? error}`);
      else outcome.throws.push(`call ${id}`);
    }
    outcome.slowestMs = Math.max(outcome.slowestMs, performance.now() - start);
  };
  const range = async (from, to) => {
    for (let id = from; id < to; id++) await one(id);
  };

  if (job.waitForGo) await lineOnStdin('go');
  if (job.action === 'around-lock') {
    await range(job.from, job.to);
    await sleep(1100); // hit counts are written every second: let that meet the lock too
    await one(job.to);
    await range(job.from, job.to);
    console.log('busy');
    await sleep(1100);
    await range(job.to + 1, job.to + 4);
  } else {
    await range(job.from, job.to);
  }
  outcome.calls = calls;
  const result = () => JSON.stringify({ ...outcome, warnings, events });
  if (job.action === 'hold') {
    console.log(result());
    console.log('ready');
    await sleep(MAX_MS);
    return;
  }
  spot.close(); // before the report: closing writes the bookkeeping, which may find damage (an event)
  console.log(result());
}
