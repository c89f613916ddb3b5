import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { registerLoader } from '../../plugin/loader/register-loader.js';
import { messageOf } from '../../runtime/errors.js';
// The public entry, as the project's codec module imports it (a bundle in dist/): its registerType fills this codec.
import { defaultCodec, UnregisteredTypeError } from '../../runtime/index.js';
import type { StoredBytes } from './cache-view.js';

/**
 * Imports the project's module that calls `registerType`, so values of registered types decode (`--codec
 * src/types.ts`). TypeScript modules go through beautyspot's loader, as under `beautyspot run`.
 */
export async function loadCodecModule(module: string): Promise<void> {
  if (/\.[cm]?tsx?$/.test(module)) await registerLoader();
  await import(pathToFileURL(resolve(module)).href);
}

/**
 * A decoded value, or why it could not be decoded; `unregistered` names the registered type whose module was not
 * loaded, when that is why.
 */
export type Decoded = { ok: true; value: unknown } | { ok: false; error: string; unregistered?: string };

export function decodeValue(stored: StoredBytes): Decoded {
  try {
    return { ok: true, value: defaultCodec().decode(stored.bytes) };
  } catch (error) {
    const message = messageOf(error);
    if (!(error instanceof UnregisteredTypeError)) return { ok: false, error: message };
    return { ok: false, error: `${message} — pass --codec <module> (the module that calls registerType) to decode it`, unregistered: error.typeName };
  }
}

/** A value as a few lines of text for the terminal: util.inspect, bounded in depth and length. */
export function previewText(decoded: Decoded, maxLines = 40): string {
  if (!decoded.ok) return `(cannot decode: ${decoded.error})`;
  const text = inspect(decoded.value, { depth: 4, maxArrayLength: 20, maxStringLength: 2000, breakLength: 100, colors: false });
  const lines = text.split('\n');
  return lines.length <= maxLines ? text : `${lines.slice(0, maxLines).join('\n')}\n… (${lines.length - maxLines} more lines)`;
}
