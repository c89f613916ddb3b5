// Registered user types for codec tests, and values that contain them.
import fc from 'fast-check';
import { Codec } from '../../runtime/codec/codec.js';
import { anyNumber, valueArb } from './arbitraries.js';

/** A user type with a small fixed payload. */
export class Point {
  constructor(readonly x: number, readonly y: number) {}
}

/** A user type whose payload is any codec value (Maps, other user types, ...). */
export class Box {
  constructor(readonly content: unknown) {}
}

/** A fresh codec that knows `Point` and `Box`. */
export function codecWithTypes(): Codec {
  const codec = new Codec();
  codec.register({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: d => new Point(...(d as [number, number])) });
  codec.register({ name: 'Box', class: Box, encode: b => b.content, decode: d => new Box(d) });
  return codec;
}

/** Any value `codecWithTypes()` stores, errors, Points and Boxes included. */
export const codecValues: fc.Arbitrary<unknown> = valueArb({
  errors: true,
  leaves: [fc.tuple(anyNumber, anyNumber).map(([x, y]) => new Point(x, y))],
  wrappers: [tree => tree.map(c => new Box(c))],
});
