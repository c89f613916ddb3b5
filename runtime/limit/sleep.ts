/** A cell nobody ever notifies: Atomics.wait on it just sleeps until its timeout. */
const cell = new Int32Array(new SharedArrayBuffer(4));

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Blocks the thread for `ms` milliseconds without spinning. Returns at once when `ms <= 0`. */
export function sleepSync(ms: number): void {
  const end = performance.now() + ms;
  // Atomics.wait may wake a hair before performance.now reaches the deadline; wait out the rest.
  for (let left = ms; left > 0; left = end - performance.now()) Atomics.wait(cell, 0, 0, left);
}
