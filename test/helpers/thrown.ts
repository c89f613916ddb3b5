import { expect } from 'vitest';

/** The error `run` throws, checked to be a `type`; fails the test when nothing is thrown. */
export function thrown<E extends Error>(type: abstract new (...args: never[]) => E, run: () => unknown): E {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error('did not throw');
}
