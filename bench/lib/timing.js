// Timing helpers: per-op times from rounds of a loop, medians, interleaving.

export function now() {
  return performance.now();
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summary of per-op samples in µs: median, min, max, and the spread (max-min)/median. */
export function summarize(samples, extra = {}) {
  const med = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return { us: med, min, max, spread: med > 0 ? (max - min) / med : 0, rounds: samples.length, ...extra };
}

/**
 * The interleaved schedule: one untimed warm-up round (or `warmup`), then `rounds` rounds, each running every
 * loop once in an order that rotates from round to round. Yields [name, round]; round < 0 is warm-up.
 */
function* schedule(names, rounds, warmup) {
  for (let r = -warmup; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) yield [names[(k + Math.max(r, 0)) % names.length], r];
  }
}

/** µs per op of each loop, from the samples of its timed rounds. */
function collect(names, ops) {
  const samples = Object.fromEntries(names.map(n => [n, []]));
  return {
    record(name, round, ms) {
      if (round >= 0) samples[name].push((ms * 1000) / ops);
    },
    result: () => Object.fromEntries(names.map(n => [n, summarize(samples[n], { ops })])),
  };
}

/**
 * Runs named sync loops in interleaved rounds (see `schedule`) and records µs per op. `loops[name](round)` runs
 * one round and returns a value that is folded into a sink so the work cannot be optimised away.
 */
export function interleave(loops, { rounds, ops, warmup = 1 }) {
  const names = Object.keys(loops);
  const samples = collect(names, ops);
  let sink = 0;
  for (const [name, r] of schedule(names, rounds, warmup)) {
    const start = now();
    sink += loops[name](r) | 0;
    samples.record(name, r, now() - start);
  }
  globalThis.__benchSink = sink;
  return samples.result();
}

/**
 * Async version of `interleave`, for drivers whose get returns a promise. `prepare(name, round)`, if given, runs
 * untimed before each timed call (e.g. an edit the timed call must see).
 */
export async function interleaveAsync(loops, { rounds, ops, warmup = 1, prepare }) {
  const names = Object.keys(loops);
  const samples = collect(names, ops);
  let sink = 0;
  for (const [name, r] of schedule(names, rounds, warmup)) {
    if (prepare) await prepare(name, r);
    const start = now();
    sink += (await loops[name](r)) | 0;
    samples.record(name, r, now() - start);
  }
  globalThis.__benchSink = sink;
  return samples.result();
}

/** How many ops of `once` fit in about `targetMs` (at least `min`), measured on a short probe. */
export async function calibrate(once, { targetMs = 150, min = 200, max = 20_000 } = {}) {
  let n = 16;
  for (;;) {
    const start = now();
    for (let i = 0; i < n; i++) await once(i);
    const ms = now() - start;
    if (ms > 20 || n >= max) return clamp(Math.round((n * targetMs) / Math.max(ms, 1e-3)), min, max);
    n *= 4;
  }
}

function clamp(n, lo, hi) {
  return Math.min(hi, Math.max(lo, n));
}
