import { useEffect, useState } from 'preact/hooks';
import { get } from './api.js';
import { count, formatAge, formatBytes, formatMs, shortFn, shortKey } from './format.js';
import { href } from './route.js';
import { useFetch } from './use-fetch.js';
import type { EntryPage, OverviewAnswer } from '../protocol.js';

const PAGE = 50;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const KIB = 1024;

/** Age and size filters as the page offers them, turned into the API's bounds. */
const AGES: Record<string, { label: string; bounds: (now: number) => { since?: number; before?: number } }> = {
  '': { label: 'any age', bounds: () => ({}) },
  '1h': { label: 'last hour', bounds: now => ({ since: now - HOUR }) },
  '1d': { label: 'last day', bounds: now => ({ since: now - DAY }) },
  '7d': { label: 'last 7 days', bounds: now => ({ since: now - 7 * DAY }) },
  old: { label: 'older than 7 days', bounds: now => ({ before: now - 7 * DAY }) },
};
const SIZES: Record<string, { label: string; minSize?: number; maxSize?: number }> = {
  '': { label: 'any size' },
  small: { label: 'under 1 KiB', maxSize: KIB - 1 },
  medium: { label: '1–64 KiB', minSize: KIB, maxSize: 64 * KIB },
  large: { label: 'over 64 KiB', minSize: 64 * KIB + 1 },
};
const SORTS: Record<string, string> = { created: 'written', size: 'size', computeMs: 'compute time', fn: 'function', key: 'key' };

function expires(at: number | null): string {
  if (at === null) return 'never';
  const left = at - Date.now();
  return left <= 0 ? 'expired' : `in ${formatAge(Date.now() - left).replace(/ ago$/, '')}`;
}

export function Entries({ spot, query, version }: { spot: string; query: URLSearchParams; version: number }) {
  const filters = Object.fromEntries(['fn', 'tag', 'text', 'age', 'size', 'sort', 'asc', 'page'].map(n => [n, query.get(n) ?? '']));
  const set = (changes: Record<string, string>): void => {
    location.hash = href('entries', { ...filters, page: '', ...changes, spot });
  };
  const [text, setText] = useState(filters.text!);
  useEffect(() => setText(filters.text!), [filters.text]);
  useEffect(() => {
    if (text === filters.text) return;
    const timer = setTimeout(() => set({ text }), 250);
    return () => clearTimeout(timer);
  }, [text]);
  const overview = useFetch(() => get<OverviewAnswer>('overview', { spot }), [spot, version]);
  const page = Number(filters.page) || 0;
  const size = SIZES[filters.size!] ?? SIZES['']!;
  const entries = useFetch(() => get<EntryPage>('entries', {
    spot, fn: filters.fn, tag: filters.tag, text: filters.text, ...(AGES[filters.age!] ?? AGES['']!).bounds(Date.now()),
    minSize: size.minSize, maxSize: size.maxSize, sort: filters.sort || 'created', desc: filters.asc ? 'false' : 'true', limit: PAGE, offset: page * PAGE,
  }), [spot, version, ...Object.values(filters)]);
  const total = entries.data?.total ?? 0;
  const select = (name: string, options: [string, string][], label: string) => (
    <label class="field">
      <span>{label}</span>
      <select name={name} value={filters[name] || options[0]![0]} onChange={e => set({ [name]: (e.target as HTMLSelectElement).value })}>
        {options.map(([value, text]) => <option key={value} value={value}>{text}</option>)}
      </select>
    </label>
  );
  return (
    <div class="entries">
      <form class="filters" onSubmit={e => e.preventDefault()}>
        <label class="field grow">
          <span>search</span>
          <input name="text" type="search" placeholder="key, function or argument digest" value={text}
            onInput={e => setText((e.target as HTMLInputElement).value)} />
        </label>
        {select('fn', [['', 'all functions'], ...(overview.data?.functions ?? []).map(f => [f.fn, shortFn(f.fn)] as [string, string])], 'function')}
        {select('tag', [['', 'any tag'], ...(overview.data?.tags ?? []).map(t => [t.tag, t.tag] as [string, string])], 'tag')}
        {select('age', Object.entries(AGES).map(([k, v]) => [k, v.label]), 'written')}
        {select('size', Object.entries(SIZES).map(([k, v]) => [k, v.label]), 'size')}
        {select('sort', Object.entries(SORTS), 'sort by')}
        <label class="field">
          <span>order</span>
          <button type="button" class="toggle" onClick={() => set({ asc: filters.asc ? '' : '1' })}>{filters.asc ? '↑ ascending' : '↓ descending'}</button>
        </label>
      </form>
      {entries.error && <p class="error">{entries.error}</p>}
      <div class="table-head">
        <span class="count">{entries.data ? `${count(total)} entries` : 'Loading…'}</span>
        {entries.ms !== undefined && <span class="muted">answered in {entries.ms.toFixed(0)} ms</span>}
      </div>
      <table class="list">
        <thead>
          <tr><th>function</th><th>key</th><th class="num">size</th><th>written</th><th>last read</th><th>expires</th><th class="num">compute</th><th>tags</th></tr>
        </thead>
        <tbody>
          {(entries.data?.rows ?? []).map(e => (
            <tr key={e.key}>
              <td title={e.fn}>{shortFn(e.fn)}</td>
              <td><a class="key" href={href('entry', { spot }, e.key)} title={e.key}>{shortKey(e.key)}</a>{e.blob && <span class="badge">blob</span>}</td>
              <td class="num">{formatBytes(e.size)}</td>
              <td title={new Date(e.createdAt).toISOString()}>{formatAge(e.createdAt)}</td>
              <td>{formatAge(e.accessedAt)}</td>
              <td>{expires(e.expiresAt)}</td>
              <td class="num">{formatMs(e.computeMs)}</td>
              <td>{e.tags.map(t => <span class="tag" key={t}>{t}</span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries.data && total === 0 && <p class="muted empty">No entries match.</p>}
      <div class="pager">
        <button disabled={page === 0} onClick={() => set({ ...filters, page: String(page - 1) })}>← previous</button>
        <span>{total === 0 ? '0' : `${count(page * PAGE + 1)}–${count(Math.min(total, (page + 1) * PAGE))}`} of {count(total)}</span>
        <button disabled={(page + 1) * PAGE >= total} onClick={() => set({ ...filters, page: String(page + 1) })}>next →</button>
      </div>
    </div>
  );
}
