// The shared fixture: N entries of a ~140-byte value, keyed by (string, number) arguments.
// Every process builds the same fixture from the same code, so keys computed in one child are found by another.

/** Entries in the hit fixture (BENCH_ENTRIES, default 100,000). */
export const ENTRIES = intEnv('BENCH_ENTRIES', 100_000);

/** Largest size of the scale trial (BENCH_SCALE_MAX, default 1,000,000). */
export const SCALE_MAX = intEnv('BENCH_SCALE_MAX', 1_000_000);

/** The function id every marked bench function is stored under. */
export const FN_NAME = 'item';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** The arguments of entry i: a string and a number. */
export function argsOf(i) {
  return [nameOf(i), i];
}

export function nameOf(i) {
  return `user-${(i * 2654435761 >>> 0).toString(36)}`;
}

/** The value of entry i: an object whose msgpack encoding is ~140 bytes. */
export function makeValue(i) {
  return {
    id: i,
    title: `Result ${i} for ${nameOf(i)}: the quick brown fox jumps over the lazy dog`.padEnd(80, '.').slice(0, 80),
    tags: [WORDS[i % 12], WORDS[(i >> 2) % 12], WORDS[(i >> 4) % 12]],
    score: i / 7 + 0.123456789,
    ok: true,
  };
}

/**
 * The body every bench spot marks (by reference, so its source and hence its code hash is the same in
 * every process): the value depends on the number only.
 */
export function item(name, n) {
  return makeValue(n);
}

/** A small, fast, seeded PRNG (mulberry32) so every run draws the same indices. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random indices in [0, n). */
export function randomIndices(count, n, seed) {
  const next = prng(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(next() * n);
  return out;
}

/** A random 32-byte key (filler rows only make a table big). */
export function randomKey(next) {
  const key = Buffer.allocUnsafe(32);
  for (let i = 0; i < 32; i += 4) key.writeUInt32LE((next() * 4294967296) >>> 0, i);
  return key;
}

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
