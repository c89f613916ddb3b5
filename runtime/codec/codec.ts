import { Decoder, Encoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { CorruptEntryError, UnencodableValueError } from '../errors.js';
import { BINARY_ID, Ext, TYPED_ARRAYS } from './ext-types.js';

/** A class the codec can store, registered with `registerType`. */
export interface CodecType<T = unknown> {
  /** Stable name stored with each value; renaming it makes old entries misses. */
  name: string;
  class: abstract new (...args: never[]) => T;
  encode(value: T): unknown;
  decode(data: unknown): T;
}

type BinaryView = ArrayBufferView | ArrayBuffer;

/** Extension types this codec does not know (a newer format, corrupt bytes) throw instead of decoding to a raw `ExtData`. */
class StrictExtensionCodec extends ExtensionCodec {
  override decode(data: Uint8Array, type: number, context: undefined): unknown {
    const value = super.decode(data, type, context);
    if (value instanceof ExtData) throw new CorruptEntryError(`[beautyspot] stored value has unknown extension type ${type}`);
    return value;
  }
}

/** False for strings with lone surrogates, which UTF-8 cannot carry. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

const ERROR_CLASSES: Record<string, new (message?: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError,
};

/**
 * msgpack with extension types for what JS programs return: Date, Map (any key), Set, bigint, undefined,
 * -0, typed arrays, RegExp, Error and user-registered classes. Values are checked while they are prepared
 * for msgpack, so anything that would not round-trip (a function, an unregistered class instance, a cycle)
 * throws `UnencodableValueError` before a byte is stored.
 */
export class Codec {
  private readonly types = new Map<string, CodecType>();
  private readonly extensions = new StrictExtensionCodec();
  private readonly encoder = new Encoder({ extensionCodec: this.extensions, initialBufferSize: 512 });
  private readonly decoder = new Decoder({ extensionCodec: this.extensions });

  constructor() {
    const on = (type: number, decode: (data: Uint8Array) => unknown): void =>
      this.extensions.register({ type, encode: () => null, decode });
    on(Ext.undefined, () => undefined);
    on(Ext.negativeZero, () => -0);
    on(Ext.date, data => new Date(new DataView(data.buffer, data.byteOffset, 8).getFloat64(0)));
    on(Ext.bigint, data => BigInt(Buffer.from(data).toString('latin1')));
    on(Ext.map, data => {
      const flat = this.decodeInner(data) as unknown[];
      const map = new Map();
      for (let i = 0; i < flat.length; i += 2) map.set(flat[i], flat[i + 1]);
      return map;
    });
    on(Ext.set, data => new Set(this.decodeInner(data) as unknown[]));
    on(Ext.typedArray, decodeBinary);
    on(Ext.regexp, data => {
      const [source, flags] = this.decodeInner(data) as [string, string];
      return new RegExp(source, flags);
    });
    on(Ext.error, data => this.decodeError(data));
    on(Ext.string, data => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf16le'));
    on(Ext.object, data => {
      const flat = this.decodeInner(data) as unknown[];
      const object: Record<string, unknown> = {};
      for (let i = 0; i < flat.length; i += 2) {
        Object.defineProperty(object, flat[i] as string, { value: flat[i + 1], writable: true, enumerable: true, configurable: true });
      }
      return object;
    });
    on(Ext.user, data => {
      const [name, payload] = this.decodeInner(data) as [string, unknown];
      const type = this.types.get(name);
      if (!type) throw new CorruptEntryError(`[beautyspot] stored value has type "${name}", which is not registered here`);
      return type.decode(payload);
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

  decode(bytes: Uint8Array): unknown {
    return this.decoder.decode(bytes);
  }

  private encodeInner(value: unknown, path: string, active: Set<object>): Uint8Array {
    return this.encoder.encode(this.prepare(value, path, active));
  }

  private decodeInner(data: Uint8Array): unknown {
    return this.decoder.decode(data);
  }

  /** Returns the value as msgpack can take it, copying only the containers whose children change. */
  private prepare(value: unknown, path: string, active: Set<object>): unknown {
    switch (typeof value) {
      case 'string':
        return isWellFormed(value) ? value : new ExtData(Ext.string, Buffer.from(value, 'utf16le'));
      case 'boolean':
        return value;
      case 'number':
        return value === 0 && 1 / value < 0 ? new ExtData(Ext.negativeZero, new Uint8Array(0)) : value;
      case 'undefined':
        return new ExtData(Ext.undefined, new Uint8Array(0));
      case 'bigint':
        return new ExtData(Ext.bigint, Buffer.from(value.toString(), 'latin1'));
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
      if (Object.keys(source).some(key => key === '__proto__' || !isWellFormed(key))) {
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
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(error)) props[key] = (error as unknown as Record<string, unknown>)[key];
    const fields = { name: error.name, message: error.message, stack: error.stack, props, ...('cause' in error ? { cause: error.cause } : {}) };
    return this.encodeInner(fields, path, active);
  }

  private decodeError(data: Uint8Array): Error {
    const fields = this.decodeInner(data) as { name: string; message: string; stack?: string; props: Record<string, unknown>; cause?: unknown };
    const ErrorClass = ERROR_CLASSES[fields.name] ?? Error;
    const error = new ErrorClass(fields.message);
    if (error.name !== fields.name) Object.defineProperty(error, 'name', { value: fields.name, writable: true, configurable: true, enumerable: false });
    Object.defineProperty(error, 'stack', { value: fields.stack, writable: true, configurable: true, enumerable: false });
    if ('cause' in fields) Object.defineProperty(error, 'cause', { value: fields.cause, writable: true, configurable: true, enumerable: false });
    return Object.assign(error, fields.props);
  }
}

function binaryId(value: BinaryView): number {
  if (value instanceof ArrayBuffer) return BINARY_ID.ArrayBuffer;
  if (value instanceof DataView) return BINARY_ID.DataView;
  if (Buffer.isBuffer(value)) return BINARY_ID.Buffer;
  return TYPED_ARRAYS.findIndex(C => value instanceof C);
}

function encodeBinary(value: BinaryView): Uint8Array {
  const id = binaryId(value);
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const data = new Uint8Array(bytes.byteLength + 1);
  data[0] = id;
  data.set(bytes, 1);
  return data;
}

function decodeBinary(data: Uint8Array): BinaryView {
  // A copy that owns its memory: `data` may be a Buffer (SQLite returns them), whose slice() is a view.
  const copy = new Uint8Array(data.subarray(1));
  const id = data[0]!;
  if (id === BINARY_ID.ArrayBuffer) return copy.buffer;
  if (id === BINARY_ID.DataView) return new DataView(copy.buffer);
  if (id === BINARY_ID.Buffer) return Buffer.from(copy.buffer);
  const Typed = TYPED_ARRAYS[id];
  if (!Typed) throw new CorruptEntryError(`[beautyspot] stored binary value has unknown kind ${id}`);
  return new Typed(copy.buffer);
}
