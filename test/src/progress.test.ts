// The counting and the status line of `beautyspot run` (src/progress/), fed by real spots' events; the terminal
// itself is tested in test/e2e/progress.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { observeEvents } from '../../runtime/spot/event-hub.js';
import { progressMode } from '../../src/progress/run-progress.js';
import { RunTally } from '../../src/progress/run-tally.js';
import { statusLine } from '../../src/progress/status-line.js';
import { tempSpot } from '../helpers/temp-spot.js';

let stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops) stop();
  stops = [];
});

function observed(): RunTally {
  const tally = new RunTally();
  stops.push(tally.observe());
  return tally;
}

const line = (tally: RunTally): string | undefined => statusLine(tally, performance.now());

describe('the status line', () => {
  it('is empty before the first event, then counts calls, hits, misses and the time saved', () => {
    const tally = observed();
    expect(line(tally)).toBeUndefined();
    const spot = tempSpot({}, 'tallied');
    const f = spot.mark((x: number) => x * 2, { name: 'double' });
    f(1);
    expect(line(tally)).toBe('[beautyspot] 1 call: 0 hits, 1 miss · saved 0 ms');
    f(1);
    f(1);
    expect(line(tally)).toMatch(/^\[beautyspot\] 3 calls: 2 hits, 1 miss · saved \d+ ms$/);
    expect(tally.summary()).toEqual([expect.stringMatching(/^\[beautyspot\] tallied: 2 hits, 1 miss(es)?, \d+ B written, saved \d+ ms$/)]);
  });

  it('names the body running and how many more are, then drops them when they finish', async () => {
    const tally = observed();
    const spot = tempSpot({}, 'running');
    let open!: () => void;
    const gate = new Promise<void>(resolve => {
      open = resolve;
    });
    const f = spot.mark(async (x: number) => {
      await gate;
      return x;
    }, { name: 'gated' });
    const calls = [f(1), f(2)];
    while (tally.running.size < 2) await new Promise(resolve => setImmediate(resolve));
    expect(line(tally)).toMatch(/ · running for \d+ ms: gated \(\+1 more\)$/);
    open();
    expect(await Promise.all(calls)).toEqual([1, 2]);
    expect(line(tally)).toBe('[beautyspot] 2 calls: 0 hits, 2 misses · saved 0 ms');
  });

  it('shows a call waiting for its rate limit, then running, and counts the waits', async () => {
    const tally = observed();
    // 600 a minute: a call right after another waits about 100 ms.
    const spot = tempSpot({ limit: { rpm: 600 } }, 'limited');
    const seen: (string | undefined)[] = [];
    stops.push(observeEvents('wait', () => seen.push(line(tally))));
    const f = spot.mark(async (x: number) => {
      seen.push(line(tally));
      return x;
    }, { name: 'paced' });
    await f(1);
    await f(2);
    expect(seen[0]).toMatch(/ · running for \d+ ms: paced$/);
    expect(seen[1]).toMatch(/ · 1 rate-limit wait \(\d+ ms\) · waiting \d+ ms for the rate limit: paced$/);
    expect(seen[2]).toMatch(/ · 1 rate-limit wait \(\d+ ms\) · running for \d+ ms: paced$/);
    expect(tally.waits).toBe(1);
  });
});

describe('the progress mode', () => {
  it('is live on a terminal, the summary alone elsewhere, off with --quiet or BEAUTYSPOT_PROGRESS=0', () => {
    expect(progressMode(false, {}, { isTTY: true })).toBe('live');
    expect(progressMode(false, { TERM: 'dumb' }, { isTTY: true })).toBe('summary');
    expect(progressMode(false, {}, { isTTY: false })).toBe('summary');
    expect(progressMode(false, {}, {})).toBe('summary');
    expect(progressMode(true, {}, { isTTY: true })).toBe('off');
    expect(progressMode(false, { BEAUTYSPOT_PROGRESS: '0' }, { isTTY: true })).toBe('off');
    expect(progressMode(false, { BEAUTYSPOT_PROGRESS: '1' }, { isTTY: false })).toBe('summary');
  });
});
