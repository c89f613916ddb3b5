import { UnkeyableValueError } from '../errors.js';
import { keyHook } from './key-hook.js';
import { KeyWriter } from './key-writer.js';

/**
 * The canonical, reflection-based key encoder for values whose type is unknown at build time
 * (`any`, `unknown`, the runtime API). Compiled key code writes the same bytes for the same values.
 *
 * - plain objects: own enumerable string keys in sorted order; a key whose value is `undefined` still counts;
 * - Map and Set: order-independent (entries sorted by their encoded bytes);
 * - class instances: only through a `[keyHook]()` method; anything else is an error, never `String(obj)`;
 * - cycles are an error; shared (acyclic) references are fine.
 */
export function writeDynamic(w: KeyWriter, value: unknown, path = 'value'): void {
  // Primitives, the common case for arguments, need no cycle tracking.
  if (typeof value === 'object' && value !== null) new DynamicEncoder().write(w, value, path);
  else writePrimitive(w, value, path);
}

function writePrimitive(w: KeyWriter, value: unknown, path: string): void {
  switch (typeof value) {
    case 'string': return w.str(value);
    case 'number': return w.num(value);
    case 'boolean': return w.bool(value);
    case 'undefined': return w.undef();
    case 'bigint': return w.big(value);
    case 'function': throw new UnkeyableValueError(path, 'it is a function');
    case 'symbol': throw new UnkeyableValueError(path, 'it is a symbol');
    default: return w.nul();
  }
}

class DynamicEncoder {
  private readonly active = new Set<object>();

  write(w: KeyWriter, value: unknown, path: string): void {
    if (typeof value === 'object' && value !== null) this.writeObject(w, value, path);
    else writePrimitive(w, value, path);
  }

  private writeObject(w: KeyWriter, value: object, path: string): void {
    if (this.active.has(value)) throw new UnkeyableValueError(path, 'it contains itself (a cycle)');
    this.active.add(value);
    try {
      this.writeKnown(w, value, path);
    } finally {
      this.active.delete(value);
    }
  }

  private writeKnown(w: KeyWriter, value: object, path: string): void {
    const hook = (value as { [keyHook]?: unknown })[keyHook];
    if (typeof hook === 'function') {
      w.hook();
      return this.write(w, hook.call(value), `${path}[keyHook]()`);
    }
    if (Array.isArray(value)) {
      w.array(value.length);
      for (let i = 0; i < value.length; i++) this.write(w, value[i], `${path}[${i}]`);
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return this.writePlain(w, value as Record<string, unknown>, path);
    if (value instanceof Date) return w.date(value);
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof SharedArrayBuffer) return w.binary(value, path);
    if (value instanceof Map) {
      return w.mapOf(value, (sub, k) => this.write(sub, k, `${path}.key`), (sub, v) => this.write(sub, v, `${path}.get(…)`));
    }
    if (value instanceof Set) return w.setOf(value, (sub, v) => this.write(sub, v, `${path}.member`));
    if (value instanceof RegExp) return w.regexp(value);
    const name = (proto?.constructor as { name?: string } | undefined)?.name || 'anonymous class';
    throw new UnkeyableValueError(path, `it is an instance of ${name}, which has no [keyHook]() method`);
  }

  private writePlain(w: KeyWriter, value: Record<string, unknown>, path: string): void {
    w.object();
    for (const k of Object.keys(value).sort()) {
      w.key(k);
      this.write(w, value[k], `${path}.${k}`);
    }
    w.end();
  }
}
