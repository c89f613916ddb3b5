import { formatBytes, formatMs } from '../../runtime/spot/stats.js';
import type { EntryInfo } from '../../runtime/store/store.js';
import { decodeValue, loadCodecModule, previewText } from '../cache/value-preview.js';
import { describeCause, explainEntry } from '../cache/why.js';
import { formatAge, formatTtl, shortKey, table } from '../format/table.js';
import { cacheCommand, eachView, fail, printJson, type CommonOptions } from './cache-command.js';

interface ShowOptions extends CommonOptions {
  codec?: string;
}

export const showCommand = cacheCommand('show', 'an entry: its metadata, argument digests, why it was computed and a preview of its value')
  .argument('<key>', 'the key, or the start of it (as `beautyspot ls` shows it)')
  .option('--codec <module>', 'a module to import first, which registers the types the values use (registerType)')
  .action(async (prefix: string, options: ShowOptions) => {
    if (options.codec) await loadCodecModule(options.codec);
    const found = eachView(options, view => view.find(prefix, 21).map(entry => ({ spot: view.spot, entry }))).flat();
    if (found.length === 0) fail(`no entry has a key starting with "${prefix}"`);
    if (found.length > 1) {
      const shown = found.slice(0, 20);
      fail(`"${prefix}" is the start of ${found.length > 20 ? 'more than 20' : found.length} keys; give more of one:\n` +
        table(['SPOT', 'FUNCTION', 'KEY', 'AGE'], shown.map(f => [f.spot, f.entry.fn, f.entry.key, formatAge(f.entry.createdAt)])));
    }
    const { spot, entry } = found[0]!;
    const [detail] = eachView({ ...options, spot }, view => {
      const stored = view.value(entry.key);
      return { stored, decoded: stored && decodeValue(stored), why: explainEntry(view, entry) };
    });
    const { stored, decoded, why } = detail!;
    if (options.json) {
      return printJson({ spot, ...entry, why: { closest: why.closest?.key ?? null, causes: why.causes },
        value: decoded === undefined ? null : decoded.ok ? previewText(decoded) : { error: decoded.error } });
    }
    process.stdout.write(`${describe(spot, entry)}\n\nwhy computed: ${
      !why.closest ? 'the first entry of its function' : why.causes.length === 0 ? `nothing recorded differs from ${shortKey(why.closest.key)} (a refresh, or an expired or cleared entry)`
        : `compared with ${shortKey(why.closest.key)} (${formatAge(why.closest.createdAt)}):\n${why.causes.map(c => `  - ${describeCause(c)}`).join('\n')}`
    }\n\nvalue${stored?.async ? ' (returned by a promise)' : ''}:\n${
      decoded === undefined ? '(unreadable: its bytes or blob are missing or damaged; the next call recomputes it)' : previewText(decoded)}\n`);
  });

function describe(spot: string, e: EntryInfo): string {
  const rows: [string, string][] = [
    ['key', e.key], ['spot', spot], ['function', e.fn], ['size', `${formatBytes(e.size)}${e.blob ? ` (blob ${e.blob.slice(0, 16)}…)` : ''}`],
    ['created', `${new Date(e.createdAt).toISOString()} (${formatAge(e.createdAt)})`],
    ['last read', `${new Date(e.accessedAt).toISOString()} (${formatAge(e.accessedAt)})`],
    ['expires', e.expiresAt === null ? 'never' : `${new Date(e.expiresAt).toISOString()} (${formatTtl(e.expiresAt)})`],
    ['compute time', formatMs(e.computeMs)], ['tags', e.tags.join(', ') || '—'],
    ['code hash', e.codeHash ?? '(not recorded)'], ['version', e.version === null ? '(not recorded)' : e.version || '—'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const args = e.args.length === 0 ? '  (none)' : e.args.map(([name, digest]) => `  ${name.padEnd(12)} ${digest}`).join('\n');
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\nargument digests:\n${args}`;
}
