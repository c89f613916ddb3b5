// Hand-made msgpack for decoder tests: values no encoder of ours would write.
import { encode, ExtData } from '@msgpack/msgpack';

/** Plain msgpack of `value` (ExtData inside is written as is). */
export const pack = (value: unknown): Uint8Array => encode(value);

/** An extension value of `type` with `payload` (bytes, or a value to pack). */
export function ext(type: number, payload: Uint8Array | number[] | { pack: unknown }): ExtData {
  return new ExtData(type, 'pack' in payload ? pack(payload.pack) : Uint8Array.from(payload));
}

/** `bytes` in hex, the first `max` of them (all by default) and a count of the rest. */
export function hex(bytes: Uint8Array, max = Infinity): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString('hex');
  return bytes.byteLength > max ? `${shown}… (${bytes.byteLength} bytes)` : shown;
}

export const fromHex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
