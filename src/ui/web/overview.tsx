import { get, send } from './api.js';
import { Chart, PALETTE } from './chart.js';
import type { Confirmation } from './confirm.js';
import { count, formatBytes, formatMs, formatPercent, shortFn } from './format.js';
import { href } from './route.js';
import { useFetch } from './use-fetch.js';
import type { DayStats, FunctionSummary, OverviewAnswer } from '../protocol.js';

const hitRate = (hits: number, misses: number): string => (hits + misses === 0 ? '—' : formatPercent(hits, hits + misses));

function Stat({ label, value, sub }: { label: string; value: string; sub?: string }) {
  return (
    <div class="stat">
      <div class="stat-label">{label}</div>
      <div class="stat-value">{value}</div>
      {sub && <div class="stat-sub">{sub}</div>}
    </div>
  );
}

/** Days of the charts: every day from the first recorded to today (UTC), so gaps show as zero. */
function dayAxis(days: DayStats[]): string[] {
  if (days.length === 0) return [];
  const first = Date.parse(`${days.map(d => d.day).sort()[0]}T00:00:00Z`);
  const last = Math.max(Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`), first);
  const axis: string[] = [];
  for (let t = first; t <= last; t += 86_400_000) axis.push(new Date(t).toISOString().slice(0, 10));
  return axis;
}

function Charts({ functions, days }: { functions: FunctionSummary[]; days: DayStats[] }) {
  const axis = dayAxis(days);
  const x = axis.map(d => Date.parse(`${d}T00:00:00Z`) / 1000);
  const byDay = (pick: (d: DayStats[]) => number | null) => axis.map(day => pick(days.filter(d => d.day === day)));
  const top = [...functions].sort((a, b) => b.savedMs - a.savedMs).slice(0, PALETTE.length);
  const saved = top.map((f, i) => ({
    label: shortFn(f.fn), color: PALETTE[i]!,
    values: byDay(ds => ds.filter(d => d.fn === f.fn).reduce((n, d) => n + d.savedMs, 0)),
  }));
  const rate = [{
    label: 'hit rate', color: PALETTE[1]!, format: (v: number) => `${v.toFixed(0)}%`,
    values: byDay(ds => {
      const hits = ds.reduce((n, d) => n + d.hits, 0);
      const calls = hits + ds.reduce((n, d) => n + d.misses, 0);
      return calls === 0 ? null : (100 * hits) / calls;
    }),
  }];
  const bySize = [...functions].sort((a, b) => b.bytes - a.bytes).slice(0, 12);
  return (
    <div class="charts">
      <section class="panel">
        <h3>Time saved per day</h3>
        {axis.length === 0 ? <p class="muted">No runs recorded yet.</p> : <Chart x={x} series={saved} yFormat={formatMs} />}
      </section>
      <section class="panel">
        <h3>Hit rate per day</h3>
        {axis.length === 0 ? <p class="muted">No runs recorded yet.</p> : <Chart x={x} series={rate} yFormat={v => `${v.toFixed(0)}%`} />}
      </section>
      <section class="panel">
        <h3>Stored bytes per function</h3>
        {bySize.length === 0 ? <p class="muted">Nothing stored.</p> : (
          <Chart x={bySize.map((_, i) => i)} categories={bySize.map(f => shortFn(f.fn))} yFormat={formatBytes}
            series={[{ label: 'bytes', color: PALETTE[0]!, values: bySize.map(f => f.bytes) }]} />
        )}
      </section>
    </div>
  );
}

function FunctionCard({ spot, f, onClear }: { spot: string; f: FunctionSummary; onClear: () => void }) {
  const calls = f.hits + f.misses;
  return (
    <article class="card fn-card">
      <header>
        <h3 title={f.fn}>{shortFn(f.fn)}</h3>
        <div class="fn-id">{f.fn}</div>
      </header>
      <div class="rate-bar" title={`hit rate ${hitRate(f.hits, f.misses)}`}>
        <span style={{ width: calls === 0 ? '0%' : `${(100 * f.hits) / calls}%` }} />
      </div>
      <dl class="fn-stats">
        <div><dt>hit rate</dt><dd>{hitRate(f.hits, f.misses)}</dd></div>
        <div><dt>hits</dt><dd>{count(f.hits)}</dd></div>
        <div><dt>misses</dt><dd>{count(f.misses)}</dd></div>
        <div><dt>time saved</dt><dd>{formatMs(f.savedMs)}</dd></div>
        <div><dt>entries</dt><dd>{count(f.entries)}</dd></div>
        <div><dt>bytes</dt><dd>{formatBytes(f.bytes)}</dd></div>
      </dl>
      <footer>
        <a class="button" href={href('entries', { spot, fn: f.fn })}>Entries</a>
        <button class="danger-outline" onClick={onClear} disabled={f.entries === 0}>Clear…</button>
      </footer>
    </article>
  );
}

export function Overview({ spot, codecModule, version, ask }: { spot: string; codecModule: string | null; version: number; ask: (c: Confirmation) => void }) {
  const { data, error } = useFetch(() => get<OverviewAnswer>('overview', { spot }), [spot, version]);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p class="muted">Loading…</p>;
  const fns = data.functions;
  const sum = (pick: (f: FunctionSummary) => number) => fns.reduce((n, f) => n + pick(f), 0);
  const hits = sum(f => f.hits);
  const misses = sum(f => f.misses);
  const clear = (what: 'fn' | 'tag', value: string, entries: number): void => ask({
    title: what === 'fn' ? `Clear function ${shortFn(value)}?` : `Clear tag ${value}?`,
    body: <p>This deletes {count(entries)} entries {what === 'fn' ? <>of <code>{value}</code></> : <>tagged <code>{value}</code></>} from spot <b>{spot}</b>, and the blobs only they use. Their next calls compute again.</p>,
    action: 'Delete entries',
    run: () => send<{ deleted: number }>('POST', 'clear', { spot, [what]: value }).then(r => `Deleted ${count(r.deleted)} entries.`),
  });
  const gc = (): void => ask({
    title: 'Run garbage collection?',
    body: <p>This deletes the expired entries of spot <b>{spot}</b>, evicts least-recently-used entries above its size limits, and removes blobs no entry uses (older than an hour).</p>,
    action: 'Run gc',
    run: () => send<{ expired: number; evicted: number; blobsDeleted: number }>('POST', 'gc', { spot })
      .then(r => `Deleted ${count(r.expired)} expired and ${count(r.evicted)} evicted entries; removed ${count(r.blobsDeleted)} blobs.`),
  });
  return (
    <div class="overview">
      <div class="where muted">
        {data.where ?? 'No cache file yet: nothing has been stored in this spot.'} · codec: {codecModule
          ? <>the default, with the types <code>{codecModule}</code> registers</>
          : <>the default (registered types decode when started with <code>--codec &lt;module&gt;</code>)</>}
      </div>
      <section class="stats">
        <Stat label="entries" value={count(sum(f => f.entries))} sub={`${fns.length} functions`} />
        <Stat label="stored" value={formatBytes(sum(f => f.bytes))} />
        <Stat label="hit rate" value={hitRate(hits, misses)} sub={`${count(hits)} hits · ${count(misses)} misses`} />
        <Stat label="time saved" value={formatMs(sum(f => f.savedMs))} sub={`computing took ${formatMs(sum(f => f.computeMs))}`} />
      </section>
      <Charts functions={fns} days={data.days} />
      <div class="section-head">
        <h2>Functions</h2>
        <button class="danger-outline" onClick={gc} disabled={!data.where}>Run gc…</button>
      </div>
      <section class="cards">
        {fns.map(f => <FunctionCard key={f.fn} spot={spot} f={f} onClear={() => clear('fn', f.fn, f.entries)} />)}
      </section>
      {data.tags.length > 0 && (
        <>
          <h2>Tags</h2>
          <section class="tags">
            {data.tags.map(t => (
              <span class="tag-chip" key={t.tag}>
                <a href={href('entries', { spot, tag: t.tag })}>{t.tag}</a>
                <span class="muted">{count(t.entries)}</span>
                <button class="link danger-text" title={`clear tag ${t.tag}`} onClick={() => clear('tag', t.tag, t.entries)}>clear…</button>
              </span>
            ))}
          </section>
        </>
      )}
    </div>
  );
}
