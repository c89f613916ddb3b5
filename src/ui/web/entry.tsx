import { useState } from 'preact/hooks';
import { get, send } from './api.js';
import type { Confirmation } from './confirm.js';
import { dateTime, formatAge, formatBytes, formatMs, shortFn, shortKey } from './format.js';
import { href } from './route.js';
import { useFetch } from './use-fetch.js';
import { ValueView } from './value-view.js';
import { describeCause } from '../../cache/why.js';
import type { ContentKind, EntryAnswer, Explanation, PreviewAnswer } from '../protocol.js';

function Why({ spot, why }: { spot: string; why: Explanation | null }) {
  if (!why) return <p class="muted">No explanation could be made.</p>;
  if (!why.closest) return <p>The first entry of its function: nothing earlier to compare with.</p>;
  const closest = <a class="key" href={href('entry', { spot }, why.closest.key)}>{shortKey(why.closest.key)}</a>;
  if (why.causes.length === 0) return <p>Nothing recorded differs from {closest} ({formatAge(why.closest.createdAt)}): a refresh, or an expired or cleared entry.</p>;
  return (
    <>
      <p>Compared with the closest earlier entry, {closest} ({formatAge(why.closest.createdAt)}):</p>
      <ul class="causes">{why.causes.map((c, i) => <li key={i}>{describeCause(c)}</li>)}</ul>
    </>
  );
}

export function EntryPage({ spot, entryKey, version, ask }: { spot: string; entryKey: string; version: number; ask: (c: Confirmation) => void }) {
  const [kind, setKind] = useState<ContentKind | 'auto'>('auto');
  // Once a delete starts, live updates no longer refetch the entry (it is gone: each fetch would be a 404).
  const [deleting, setDeleting] = useState<number | undefined>(undefined);
  const seen = deleting ?? version;
  const info = useFetch(() => get<EntryAnswer>('entry', { spot, key: entryKey }), [spot, entryKey, seen]);
  const value = useFetch(() => get<PreviewAnswer>('value', { spot, key: entryKey, as: kind }), [spot, entryKey, kind, seen]);
  if (info.error) return <div class="entry"><p class="error">{info.error}</p><a href={href('entries', { spot })}>← entries</a></div>;
  if (!info.data) return <p class="muted">Loading…</p>;
  const { entry: e, why, code } = info.data;
  const remove = (): void => ask({
    title: 'Delete this entry?',
    body: <p>This deletes entry <code>{shortKey(e.key)}</code> of <code>{e.fn}</code>{e.blob ? ' and its blob (when no other entry uses it)' : ''}. The next call with these arguments computes again.</p>,
    action: 'Delete entry',
    run: async () => {
      setDeleting(version);
      try {
        await send<{ deleted: number }>('DELETE', 'entry', {}, { spot, key: e.key });
      } catch (error) {
        setDeleting(undefined);
        throw error;
      }
      location.hash = href('entries', { spot, fn: e.fn });
      return 'Deleted.';
    },
  });
  const rows: [string, string][] = [
    ['function', e.fn], ['size', `${formatBytes(e.size)}${e.blob ? ` (blob ${e.blob.slice(0, 16)}…)` : ''}`],
    ['written', `${dateTime(e.createdAt)} (${formatAge(e.createdAt)})`], ['last read', `${dateTime(e.accessedAt)} (${formatAge(e.accessedAt)})`],
    ['expires', e.expiresAt === null ? 'never' : dateTime(e.expiresAt)], ['compute time', formatMs(e.computeMs)],
    ['tags', e.tags.join(', ') || '—'], ['code hash', e.codeHash ?? '(not recorded)'], ['version', e.version === null ? '(not recorded)' : e.version || '—'],
  ];
  return (
    <div class="entry">
      <div class="entry-head">
        <div>
          <a class="muted" href={href('entries', { spot, fn: e.fn })}>← entries of {shortFn(e.fn)}</a>
          <h2>{shortFn(e.fn)} <span class="key-full">{e.key}</span></h2>
        </div>
        <button class="danger" onClick={remove}>Delete entry…</button>
      </div>
      <div class="entry-grid">
        <section class="panel">
          <h3>Metadata</h3>
          <dl class="meta">{rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>
        </section>
        <section class="panel">
          <h3>Argument digests</h3>
          {e.args.length === 0 ? <p class="muted">No arguments.</p> : (
            <table class="args"><tbody>{e.args.map(([name, digest]) => <tr key={name}><td>{name}</td><td class="mono">{digest}</td></tr>)}</tbody></table>
          )}
          <h3>Why it was computed</h3>
          <Why spot={spot} why={why} />
          {code && code.deps.length > 0 && <p class="muted">Its code hash covers the body and {code.deps.length} declaration{code.deps.length === 1 ? '' : 's'} it uses.</p>}
        </section>
      </div>
      <section class="panel">
        <h3>Value</h3>
        {value.error ? <p class="error">{value.error}</p> : value.data ? <ValueView spot={spot} entryKey={e.key} preview={value.data} onKind={setKind} /> : <p class="muted">Loading…</p>}
      </section>
    </div>
  );
}
