// Targets of the sync bridge tests: plain JavaScript, because the bridge's worker runs outside vitest and
// cannot load TypeScript. Each factory returns an object whose methods return promises.
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Methods that answer at once, slowly, with bytes, or with an error, and one that ends the thread. */
export function probe(label) {
  return {
    async noop() {},
    async echo(...args) {
      return args;
    },
    async label() {
      return label;
    },
    async bytes(size) {
      return new Uint8Array(size).fill(7);
    },
    async entry(size) {
      return { id: 1, value: Buffer.alloc(size, 9), blob: null };
    },
    async slow(ms, value) {
      await sleep(ms);
      return value;
    },
    async fail(message, code) {
      throw Object.assign(new RangeError(message), { code });
    },
    async unclonable() {
      return () => {};
    },
    async crash() {
      setImmediate(() => {
        throw new Error('the worker crashed on purpose');
      });
      await sleep(10_000);
    },
    /** A write that lands after `ms`: one line appended to `file`. */
    async append(file, line, ms) {
      await sleep(ms);
      appendFileSync(file, `${line}\n`);
    },
  };
}

/** A factory whose object cannot be built. */
export async function broken(reason) {
  throw new Error(reason);
}

/** A real SQLite store (the built runtime) behind async methods: what a remote backend's worker object looks like. */
export async function sqliteStore(file) {
  const { SqliteStore } = await import('../../dist/runtime/store/sqlite-store.js');
  const store = new SqliteStore(file);
  return {
    async get(key) {
      return store.get(key);
    },
    async put(entry) {
      store.put(entry);
    },
    async totals() {
      return store.totals();
    },
    async close() {
      store.close();
    },
    /** Damages the stored value of `key` (its checksum no longer matches). */
    async damage(key) {
      store.db.prepare('UPDATE entries SET value = ? WHERE key = ?').run(Buffer.from('tampered'), key);
    },
    /** Blocks this thread for `ms`, like a server that stopped answering. */
    async freeze(ms) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    },
  };
}
