/**
 * The method name a class implements to be usable as a cache-key input:
 * `[keyHook]() { return { id: this.id } }`. The returned value is keyed in its place.
 */
export const keyHook: unique symbol = Symbol.for('beautyspot.key');
