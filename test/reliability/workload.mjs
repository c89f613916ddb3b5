// The cached functions every reliability child calls. Call number `id` picks a function by `id % 8` and
// passes it `id`; each value is a pure function of the id, so a child can tell a wrong value from a right one.
import { createCipheriv, hash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { mark } from '../../dist/runtime/index.js';

export const SPOT = 'reliability';

let executed = () => {};

/** `hook(id)` runs each time a body runs (a hit runs none). */
export function onExecute(hook) {
  executed = hook;
}

/** `length` bytes determined by `id` alone: the AES-CTR keystream of a key derived from it. */
function bytesOf(id, length) {
  const key = hash('sha256', `reliability:${id}`, 'buffer');
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

function record(id) {
  return { id, name: `item-${id}`, powers: [id, id * id, id ** 3], even: id % 2 === 0, day: new Date(id * 86_400_000), tag: bytesOf(id, 8).toString('hex') };
}

/** About 70 kB of text: over the 64 KiB blob threshold, so it is stored as a blob by size. */
function text(id) {
  return bytesOf(id, 52_500 + (id % 512)).toString('base64');
}

/** Over 64 KiB of binary, as a Uint8Array (the codec keeps the view type). */
function bytes(id) {
  return new Uint8Array(bytesOf(id, 66_000 + (id % 1024)));
}

/** A timer of 0–2 ms, so async calls overlap. */
const tick = id => new Promise(resolve => setTimeout(resolve, id % 3));

const options = name => ({ spot: SPOT, name });

const smallSync = mark(function smallSync(id) {
  executed(id);
  return record(id);
}, options('smallSync'));

const smallAsync = mark(async function smallAsync(id) {
  executed(id);
  await tick(id);
  return record(id);
}, options('smallAsync'));

const textSync = mark(function textSync(id) {
  executed(id);
  return text(id);
}, options('textSync'));

const bytesAsync = mark(async function bytesAsync(id) {
  executed(id);
  await tick(id);
  return bytes(id);
}, options('bytesAsync'));

const flaggedAsync = mark(async function flaggedAsync(id) {
  executed(id);
  await tick(id);
  return record(id);
}, { ...options('flaggedAsync'), blob: true });

/** By `id % 8`: 3/8 small sync, 2/8 small async, 3/8 stored as blobs (one sync, two async). */
const CALLS = [
  { fn: smallSync, value: record, async: false },
  { fn: smallSync, value: record, async: false },
  { fn: smallSync, value: record, async: false },
  { fn: smallAsync, value: record, async: true },
  { fn: smallAsync, value: record, async: true },
  { fn: textSync, value: text, async: false },
  { fn: bytesAsync, value: bytes, async: true },
  { fn: flaggedAsync, value: record, async: true },
];

/** Makes call `id`: its value, or a promise of it for the async functions. */
export function call(id) {
  return CALLS[id % CALLS.length].fn(id);
}

/**
 * Makes the calls in order: sync ones at once, async ones up to `maxPending` at a time. `done(id, value)`
 * runs once a call has returned (an async one: resolved), `failed(id, error)` once it threw or rejected.
 */
export async function makeCalls(ids, maxPending, done, failed) {
  const pending = new Set();
  for (const id of ids) {
    if (CALLS[id % CALLS.length].async) {
      const promise = call(id).then(value => done(id, value), error => failed(id, error)).finally(() => pending.delete(promise));
      pending.add(promise);
      if (pending.size >= maxPending) await Promise.race(pending);
      continue;
    }
    let value;
    try {
      value = call(id);
    } catch (error) {
      failed(id, error);
      continue;
    }
    done(id, value);
  }
  await Promise.all(pending);
}

/** Whether `value` is what call `id` must return. */
export function isRight(id, value) {
  return isDeepStrictEqual(value, CALLS[id % CALLS.length].value(id));
}
