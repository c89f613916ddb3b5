/**
 * Bumped whenever a spot is closed (redefining a spot closes the old one) or swaps its store. A cached function
 * compares it on every call and, when it changed, looks its spot up again: the next call uses the spot as it is now.
 */
export let spotGeneration = 0;

export function nextSpotGeneration(): void {
  spotGeneration++;
}
