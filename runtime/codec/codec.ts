import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { UnencodableValueError, UnregisteredTypeError } from '../errors.js';
import { decodeBinary, encodeBinary } from './binary.js';
import { checkStructure } from './check-structure.js';
import { asCorrupt, corrupt } from './corrupt.js';
import { Ext } from './ext-types.js';

/** A class the codec can store, registered with `registerType`. */
export interface CodecType<T = unknown> {
  /** Stable name stored with each value; renaming it makes old entries misses. */
  name: string;
  class: abstract new (...args: never[]) => T;
  encode(value: T): unknown;
  decode(data: unknown): T;
}

/** False for strings with lone surrogates, which UTF-8 cannot carry. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Strings msgpack cannot carry as UTF-8: lone surrogates, and a leading U+FEFF, which msgpack's
 * TextDecoder (used above 200 bytes) drops as a byte order mark.
 */
const needsUtf16 = (s: string): boolean => s.charCodeAt(0) === 0xfeff || !isWellFormed(s);

/** The built-in error classes a stored error may name; any other name decodes as an `Error` with that name. */
const ERROR_CLASSES = new Map<string, new (message?: string) => Error>(
  [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError].map(C => [C.name, C]),
);

/** Longest bigint stored, in decimal digits: `BigInt()` is superlinear (about 0.15 s for a million digits). */
const MAX_BIGINT_DIGITS = 1_000_000;
const BIGINT = /^(?:0|-?[1-9][0-9]*)$/;

const digitCount = (decimal: string): number => decimal.length - (decimal.startsWith('-') ? 1 : 0);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;

const ownField = (fields: Record<string, unknown>, key: string): unknown => (Object.hasOwn(fields, key) ? fields[key] : undefined);

function defineOwn(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable, configurable: true });
}

function emptyPayload<T>(name: string, value: T): (data: Uint8Array) => T {
  return data => (data.length === 0 ? value : corrupt(`${name} has a payload of ${data.length} bytes`));
}

/**
 * msgpack with extension types for what JS programs return: Date, Map (any key), Set, bigint, undefined,
 * -0, typed arrays, RegExp, Error and user-registered classes. Values are checked while they are prepared
 * for msgpack, so anything that would not round-trip (a function, an unregistered class instance, a cycle)
 * throws `UnencodableValueError` before a byte is stored. Decoding checks the bytes before msgpack reads
 * them and validates every payload, so damaged or hostile bytes throw `CorruptEntryError` (never another
 * error, never a value whose prototype the bytes chose) and cost memory and time bounded by their length.
 */
export class Codec {
  private readonly types = new Map<string, CodecType>();
  private readonly extensions = new ExtensionCodec();
  private readonly encoder = new Encoder({ extensionCodec: this.extensions, initialBufferSize: 512 });
  private readonly decoder = new Decoder({ extensionCodec: this.extensions });

  constructor() {
    const on = (type: number, decode: (data: Uint8Array) => unknown): void =>
      this.extensions.register({ type, encode: () => null, decode });
    on(Ext.undefined, emptyPayload('undefined', undefined));
    on(Ext.negativeZero, emptyPayload('-0', -0));
    on(Ext.date, data => {
      if (data.length !== 8) corrupt(`a Date has ${data.length} bytes, not 8`);
      return new Date(new DataView(data.buffer, data.byteOffset, 8).getFloat64(0));
    });
    on(Ext.bigint, data => {
      const decimal = data.length <= MAX_BIGINT_DIGITS + 1 ? Buffer.from(data).toString('latin1') : '';
      if (!BIGINT.test(decimal) || digitCount(decimal) > MAX_BIGINT_DIGITS) corrupt('a bigint is not a decimal number of at most a million digits');
      return BigInt(decimal);
    });
    on(Ext.map, data => {
      const flat = this.readPairs(data, 'Map');
      const map = new Map();
      for (let i = 0; i < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
      return map;
    });
    on(Ext.set, data => new Set(this.readArray(data, 'Set')));
    on(Ext.typedArray, decodeBinary);
    on(Ext.regexp, data => {
      const fields = this.readArray(data, 'RegExp');
      const source = fields[0];
      const flags = fields[1];
      if (fields.length !== 2 || typeof source !== 'string' || typeof flags !== 'string') corrupt('a RegExp is not [source, flags]');
      return new RegExp(source, flags);
    });
    on(Ext.error, data => this.decodeError(data));
    on(Ext.string, data => {
      if (data.length % 2 !== 0) corrupt(`a UTF-16 string has an odd number of bytes (${data.length})`);
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf16le');
    });
    on(Ext.object, data => {
      const flat = this.readPairs(data, 'object');
      const object: Record<string, unknown> = {};
      for (let i = 0; i < flat.length; i += 2) {
        const key = flat[i];
        if (typeof key !== 'string') corrupt(`an object has a key of type ${typeof key}`);
        defineOwn(object, key, flat[i + 1], true);
      }
      return object;
    });
    on(Ext.user, data => {
      const fields = this.readArray(data, 'registered type');
      const name = fields[0];
      if (fields.length !== 2 || typeof name !== 'string') corrupt('a registered type is not [name, payload]');
      const type = this.types.get(name);
      if (!type) throw new UnregisteredTypeError(name);
      return type.decode(fields[1]);
    });
  }

  /** Teaches the codec a class: `register({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: ([x, y]) => new Point(x, y) })`. */
  register<T>(type: CodecType<T>): void {
    // Validate arguments
    if (typeof type?.name !== 'string' || type.name === '') throw new TypeError('[beautyspot] registerType needs a non-empty "name"');
    if (typeof type.class !== 'function') throw new TypeError(`[beautyspot] registerType "${type.name}" needs a "class"`);
    if (typeof type.encode !== 'function' || typeof type.decode !== 'function') {
      throw new TypeError(`[beautyspot] registerType "${type.name}" needs "encode" and "decode" functions`);
    }
    const existing = this.types.get(type.name);
    if (existing && existing.class !== type.class) {
      throw new TypeError(`[beautyspot] a different class is already registered as "${type.name}"; pick another name`);
    }
    this.types.set(type.name, type as CodecType);
  }

  encode(value: unknown): Uint8Array {
    return this.encoder.encode(this.prepare(value, 'result', new Set()));
  }

  /** The stored value; any bytes this codec did not write, whatever the fault, throw `CorruptEntryError`. */
  decode(bytes: Uint8Array): unknown {
    try {
      return this.decodeInner(bytes);
    } catch (error) {
      throw asCorrupt(error);
    }
  }

  private encodeInner(value: unknown, path: string, active: Set<object>): Uint8Array {
    return this.encoder.encode(this.prepare(value, path, active));
  }

  private decodeInner(data: Uint8Array): unknown {
    checkStructure(data);
    return this.decoder.decode(data);
  }

  private readArray(data: Uint8Array, what: string): unknown[] {
    const items = this.decodeInner(data);
    return Array.isArray(items) ? items : corrupt(`a ${what} payload is not an array`);
  }

  /** A `[key, value, ...]` payload. */
  private readPairs(data: Uint8Array, what: string): unknown[] {
    const flat = this.readArray(data, what);
    return flat.length % 2 === 0 ? flat : corrupt(`a ${what} payload has an odd number of items`);
  }

  /** Returns the value as msgpack can take it, copying only the containers whose children change. */
  private prepare(value: unknown, path: string, active: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return needsUtf16(value) ? new ExtData(Ext.string, Buffer.from(value, 'utf16le')) : value;
      case 'boolean':
        return value;
      case 'number':
        return value === 0 && 1 / value < 0 ? new ExtData(Ext.negativeZero, new Uint8Array(0)) : value;
      case 'undefined':
        return new ExtData(Ext.undefined, new Uint8Array(0));
      case 'bigint': {
        const decimal = value.toString();
        if (digitCount(decimal) > MAX_BIGINT_DIGITS) throw new UnencodableValueError(path, 'it is a bigint of more than a million digits');
        return new ExtData(Ext.bigint, Buffer.from(decimal, 'latin1'));
      }
      case 'function':
        throw new UnencodableValueError(path, 'it is a function');
      case 'symbol':
        throw new UnencodableValueError(path, 'it is a symbol');
    }
    if (value === null) return null;
    const object = value as object;
    if (active.has(object)) throw new UnencodableValueError(path, 'it contains itself (a cycle)');
    active.add(object);
    try {
      return this.prepareObject(object, path, active);
    } finally {
      active.delete(object);
    }
  }

  private prepareObject(value: object, path: string, active: Set<object>): unknown {
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        const prepared = this.prepare(item, `${path}[${i}]`, active);
        if (prepared !== item) (out ??= value.slice(0, i))[i] = prepared;
        else if (out) out[i] = item;
      }
      return out ?? value;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const source = value as Record<string, unknown>;
      if (Object.keys(source).some(key => key === '__proto__' || needsUtf16(key))) {
        const flat: unknown[] = [];
        for (const key of Object.keys(source)) flat.push(this.prepare(key, path, active), this.prepare(source[key], `${path}.${key}`, active));
        return new ExtData(Ext.object, this.encoder.encode(flat));
      }
      let out: Record<string, unknown> | undefined;
      for (const key of Object.keys(source)) {
        const item = source[key];
        const prepared = this.prepare(item, `${path}.${key}`, active);
        if (prepared !== item) (out ??= { ...source })[key] = prepared;
      }
      return out ?? value;
    }
    for (const type of this.types.values()) {
      if (value instanceof type.class) {
        return new ExtData(Ext.user, this.encodeInner([type.name, type.encode(value)], `${path}<${type.name}>`, active));
      }
    }
    if (value instanceof Date) {
      const data = new Uint8Array(8);
      new DataView(data.buffer).setFloat64(0, value.getTime());
      return new ExtData(Ext.date, data);
    }
    if (value instanceof Map) {
      const flat: unknown[] = [];
      for (const [k, v] of value) flat.push(k, v);
      return new ExtData(Ext.map, this.encodeInner(flat, `${path}<Map>`, active));
    }
    if (value instanceof Set) return new ExtData(Ext.set, this.encodeInner([...value], `${path}<Set>`, active));
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return new ExtData(Ext.typedArray, encodeBinary(value));
    if (value instanceof RegExp) return new ExtData(Ext.regexp, this.encodeInner([value.source, value.flags], path, active));
    if (value instanceof Error) return new ExtData(Ext.error, this.encodeError(value, path, active));
    const name = (proto?.constructor as { name?: string } | undefined)?.name || 'an anonymous class';
    throw new UnencodableValueError(path, `it is an instance of ${name}, which the codec does not know`);
  }

  private encodeError(error: Error, path: string, active: Set<object>): Uint8Array {
    const { name, message, stack } = error;
    if (typeof name !== 'string' || typeof message !== 'string') throw new UnencodableValueError(path, 'it is an error whose name or message is not a string');
    if (stack !== undefined && typeof stack !== 'string') throw new UnencodableValueError(path, 'it is an error whose stack is not a string');
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(error)) defineOwn(props, key, (error as unknown as Record<string, unknown>)[key], true);
    const fields = { name, message, stack, props, ...('cause' in error ? { cause: error.cause } : {}) };
    return this.encodeInner(fields, path, active);
  }

  /** Only a registered built-in class is constructed, and every stored property is defined, never assigned. */
  private decodeError(data: Uint8Array): Error {
    const fields = this.decodeInner(data);
    if (!isPlainObject(fields)) corrupt('an Error payload is not an object');
    const name = ownField(fields, 'name');
    const message = ownField(fields, 'message');
    const stack = ownField(fields, 'stack');
    const props = ownField(fields, 'props');
    if (typeof name !== 'string' || typeof message !== 'string' || (stack !== undefined && typeof stack !== 'string') || !isPlainObject(props)) {
      corrupt('an Error payload does not have a string name and message, a string stack and an object of properties');
    }
    const ErrorClass = ERROR_CLASSES.get(name) ?? Error;
    const error = new ErrorClass(message);
    if (error.name !== name) defineOwn(error, 'name', name, false);
    defineOwn(error, 'stack', stack, false);
    if (Object.hasOwn(fields, 'cause')) defineOwn(error, 'cause', fields.cause, false);
    for (const key of Object.keys(props)) defineOwn(error, key, props[key], true);
    return error;
  }
}
