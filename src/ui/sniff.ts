import type { ContentKind } from './protocol.js';

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: number[]): boolean => magic.every((b, i) => bytes[i] === b);

/** The media type each kind of preview is served with. */
export const MEDIA_TYPE: Partial<Record<ContentKind, string>> = {
  png: 'image/png',
  jpeg: 'image/jpeg',
  svg: 'image/svg+xml',
  html: 'text/html; charset=utf-8',
};

/** Bytes as text, when they are valid UTF-8 without control characters other than whitespace. */
export function asText(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
  return /[\x00-\x08\x0e-\x1f\x7f]/.test(text.slice(0, 4096)) ? undefined : text;
}

/** What bytes are: an image by its magic bytes, else what their text is, else binary. */
export function sniffBytes(bytes: Uint8Array): ContentKind {
  if (startsWith(bytes, PNG)) return 'png';
  if (startsWith(bytes, JPEG)) return 'jpeg';
  const text = asText(bytes);
  return text === undefined ? 'hex' : sniffText(text);
}

/** Markdown signs, each worth a point: headings, lists, fences, links, emphasis, quotes, tables. */
const MARKDOWN_SIGNS = [/^#{1,6} \S/m, /^\s*(?:[-*+]|\d+\.) \S/m, /^```/m, /\[[^\]\n]+\]\([^)\s]+\)/, /\*\*[^*\n]+\*\*/, /^> \S/m, /^\|.+\|\s*$/m];

/** What a text is: SVG, HTML, JSON (an object or array), Markdown (two signs, or a heading first), else text. */
export function sniffText(text: string): ContentKind {
  const head = text.slice(0, 1024).trimStart().toLowerCase();
  if (/^(?:<\?xml[^>]*>\s*)?<svg[\s>]/.test(head)) return 'svg';
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  if ((head.startsWith('{') || head.startsWith('[')) && parsesAsJson(text)) return 'tree';
  const sample = text.slice(0, 20_000);
  const signs = MARKDOWN_SIGNS.filter(sign => sign.test(sample)).length;
  return signs >= 2 || /^#{1,6} \S/.test(sample) ? 'markdown' : 'text';
}

function parsesAsJson(text: string): boolean {
  if (text.length > 5_000_000) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
