import { Codec, type CodecType } from './codec.js';

let shared: Codec | undefined;

/** The codec every spot uses unless given its own; created on first use. */
export function defaultCodec(): Codec {
  return (shared ??= new Codec());
}

/** Teaches the default codec a class, so results containing it can be stored. */
export function registerType<T>(type: CodecType<T>): void {
  defaultCodec().register(type);
}
