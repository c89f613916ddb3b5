import type { StoredBytes } from '../cache/cache-view.js';
import { decodeValue, type Decoded } from '../cache/value-preview.js';
import { hexDump } from './hex.js';
import type { ContentKind, PreviewAnswer } from './protocol.js';
import { asText, MEDIA_TYPE, sniffBytes, sniffText } from './sniff.js';
import { bytesOf, valueTree } from './value-tree.js';

/** Characters of text sent to the page at most. */
const MAX_TEXT = 200_000;
const HEX_BYTES = 16_384;

/** A decoded value as the page can show it: its text or bytes (strings and binaries), what they look like, the ways to show them. */
interface Content {
  value: unknown;
  text?: string;
  bytes: Uint8Array;
  sniffed: ContentKind;
  kinds: ContentKind[];
}

const unique = (kinds: ContentKind[]): ContentKind[] => [...new Set(kinds)];

function contentOf(value: unknown, encoded: Uint8Array): Content {
  if (typeof value === 'string') {
    const sniffed = sniffText(value);
    const rendered: ContentKind[] = sniffed === 'svg' || sniffed === 'html' ? [sniffed, 'html'] : [sniffed];
    return { value, text: value, bytes: new TextEncoder().encode(value), sniffed, kinds: unique([...rendered, 'text', 'markdown', 'hex']) };
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) {
    const bytes = bytesOf(value);
    const sniffed = sniffBytes(bytes);
    const text = asText(bytes);
    return { value, text, bytes, sniffed, kinds: unique([sniffed, ...(text === undefined ? [] : ['text', 'markdown'] as ContentKind[]), 'tree', 'hex']) };
  }
  return { value, bytes: encoded, sniffed: 'tree', kinds: ['tree', 'hex'] };
}

/** Why a value cannot be decoded, and what to do about it. */
function undecodableNote(failed: Extract<Decoded, { ok: false }>): string {
  if (failed.unregistered !== undefined) {
    return `This value contains the registered type "${failed.unregistered}", which the dashboard has not loaded, so it cannot be decoded here. ` +
      'Start the dashboard with the module of your project that calls registerType for it: beautyspot ui --codec <module> ' +
      '(a .ts module works). Below: the encoded bytes.';
  }
  return `The value cannot be decoded: ${failed.error}. The pipeline treats it as a miss and recomputes it. Below: the encoded bytes.`;
}

/**
 * The preview of a stored value: decoded with the default codec (and the types `--codec` registered), shown as `as` asks when it can be, else as sniffed
 * (images by their magic bytes, SVG, HTML, JSON, Markdown, text; structured values as a tree).
 */
export function preview(stored: StoredBytes, as?: ContentKind): PreviewAnswer {
  const base = { bytes: stored.bytes.length, blob: stored.blob, async: stored.async };
  const decoded = decodeValue(stored);
  if (!decoded.ok) return { ...base, kind: 'hex', sniffed: 'hex', kinds: ['hex'], note: undecodableNote(decoded), ...hexOf(stored.bytes) };
  const content = contentOf(decoded.value, stored.bytes);
  const kind = as && content.kinds.includes(as) ? as : content.sniffed;
  const answer: PreviewAnswer = { ...base, kind, sniffed: content.sniffed, kinds: content.kinds };
  switch (kind) {
    case 'tree':
      return { ...answer, tree: valueTree(content.sniffed === 'tree' && content.text !== undefined ? JSON.parse(content.text) : content.value) };
    case 'text':
    case 'markdown': {
      const text = content.text ?? '';
      return { ...answer, text: text.slice(0, MAX_TEXT), ...(text.length > MAX_TEXT ? { cut: text.length - MAX_TEXT } : {}) };
    }
    case 'hex':
      return { ...answer, ...hexOf(content.bytes) };
    default:
      return answer; // images and HTML: the page loads them from /api/raw
  }
}

function hexOf(bytes: Uint8Array): { hex: string; cut?: number } {
  return { hex: hexDump(bytes, HEX_BYTES), ...(bytes.length > HEX_BYTES ? { cut: bytes.length - HEX_BYTES } : {}) };
}

/** A value's bytes to serve as an image or a sandboxed HTML page; undefined when it is not one. */
export function rawContent(stored: StoredBytes, as: ContentKind): { type: string; bytes: Uint8Array } | undefined {
  const decoded = decodeValue(stored);
  const type = MEDIA_TYPE[as];
  if (!decoded.ok || !type) return undefined;
  const content = contentOf(decoded.value, stored.bytes);
  return content.kinds.includes(as) ? { type, bytes: content.bytes } : undefined;
}
