import type { ValueNode } from './protocol.js';

/** Limits of one tree: nodes in all, items shown per container, characters per string. */
const MAX_NODES = 5_000;
const MAX_ITEMS = 500;
const MAX_STRING = 20_000;
const BINARY_SHOWN = 64;

/** The engine's name of a typed array (not `Symbol.toStringTag` of the value, which a subclass may change). */
const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;

function binaryKind(value: ArrayBufferView | ArrayBuffer): string {
  if (value instanceof ArrayBuffer) return 'ArrayBuffer';
  if (value instanceof DataView) return 'DataView';
  if (Buffer.isBuffer(value)) return 'Buffer';
  return typedArrayTag.call(value) as string;
}

export function bytesOf(value: ArrayBufferView | ArrayBuffer): Uint8Array {
  return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

const numberText = (n: number): string => (Object.is(n, -0) ? '-0' : String(n));

/**
 * A decoded value as data for the page's JSON tree, every type the codec stores told apart (Map, Set, Date, bigint,
 * binary, class instances by name). Large values are cut: at most 5,000 nodes, 500 items per container.
 */
export function valueTree(value: unknown): ValueNode {
  let budget = MAX_NODES;
  const walk = (v: unknown): ValueNode => {
    if (budget-- <= 0) return { t: 'more' };
    if (v === null) return { t: 'null' };
    switch (typeof v) {
      case 'undefined': return { t: 'undefined' };
      case 'boolean': return { t: 'boolean', v };
      case 'number': return { t: 'number', v: numberText(v) };
      case 'bigint': return { t: 'bigint', v: v.toString() };
      case 'string': return v.length > MAX_STRING ? { t: 'string', v: v.slice(0, MAX_STRING), cut: v.length - MAX_STRING } : { t: 'string', v };
      case 'object': break;
      default: return { t: 'string', v: String(v) };
    }
    const items = <T>(all: T[], each: (item: T) => ValueNode | [ValueNode, ValueNode] | [string, ValueNode]): { shown: ReturnType<typeof each>[]; cut?: number } => {
      const shown = all.slice(0, MAX_ITEMS).map(each);
      return all.length > MAX_ITEMS ? { shown, cut: all.length - MAX_ITEMS } : { shown };
    };
    if (Array.isArray(v)) {
      const { shown, cut } = items(v, walk);
      return { t: 'array', items: shown as ValueNode[], ...(cut ? { cut } : {}) };
    }
    if (v instanceof Date) return { t: 'date', v: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() };
    if (v instanceof RegExp) return { t: 'regexp', v: String(v) };
    if (v instanceof Error) return { t: 'error', name: v.name, message: v.message, stack: v.stack ?? '' };
    if (v instanceof Map) {
      const { shown, cut } = items([...v], ([k, x]) => [walk(k), walk(x)] as [ValueNode, ValueNode]);
      return { t: 'map', pairs: shown as [ValueNode, ValueNode][], ...(cut ? { cut } : {}) };
    }
    if (v instanceof Set) {
      const { shown, cut } = items([...v], walk);
      return { t: 'set', items: shown as ValueNode[], ...(cut ? { cut } : {}) };
    }
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) {
      const bytes = bytesOf(v);
      const hex = Buffer.from(bytes.subarray(0, BINARY_SHOWN)).toString('hex').replace(/(..)(?!$)/g, '$1 ');
      return { t: 'binary', kind: binaryKind(v), bytes: bytes.byteLength, hex };
    }
    const proto = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
    const cls = proto && proto !== Object.prototype ? proto.constructor?.name || 'anonymous class' : undefined;
    const { shown, cut } = items(Object.entries(v), ([k, x]) => [k, walk(x)] as [string, ValueNode]);
    return { t: 'object', ...(cls ? { cls } : {}), fields: shown as [string, ValueNode][], ...(cut ? { cut } : {}) };
  };
  return walk(value);
}
