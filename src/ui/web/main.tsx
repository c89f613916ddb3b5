import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { get } from './api.js';
import { useConfirm } from './confirm.js';
import { EntryPage } from './entry.js';
import { Entries } from './entries.js';
import { useLive } from './live.js';
import { Overview } from './overview.js';
import { href, useRoute } from './route.js';
import { useFetch } from './use-fetch.js';
import type { SpotsAnswer } from '../protocol.js';
import './style.css';

function App() {
  const route = useRoute();
  const asked = route.query.get('spot') ?? undefined;
  const spots = useFetch(() => get<SpotsAnswer>('spots'), []);
  const names = spots.data?.spots.map(s => s.name) ?? [];
  const spot = asked && names.includes(asked) ? asked : names[0];
  const live = useLive(spot);
  const { ask, dialog } = useConfirm();
  const again = useFetch(() => get<SpotsAnswer>('spots'), [live.spotsVersion]);
  const list = again.data ?? spots.data;
  useEffect(() => {
    document.title = spot ? `beautyspot · ${spot}` : 'beautyspot';
  }, [spot]);
  if (spots.error) return <p class="error page-error">{spots.error}</p>;
  if (!list || !spot) return <p class="muted page-error">Loading…</p>;
  const tab = (page: 'overview' | 'entries', text: string) => (
    <a class={route.page === page || (page === 'entries' && route.page === 'entry') ? 'tab active' : 'tab'} href={href(page, { spot })}>{text}</a>
  );
  return (
    <>
      <header class="top">
        <div class="brand"><span class="dot" />beautyspot</div>
        <nav>{tab('overview', 'Overview')}{tab('entries', 'Entries')}</nav>
        <div class="top-right">
          <label class="spot-switch">
            <span>spot</span>
            <select name="spot" value={spot} onChange={e => (location.hash = href(route.page === 'entry' ? 'entries' : route.page, { spot: (e.target as HTMLSelectElement).value }))}>
              {list.spots.map(s => <option key={s.name} value={s.name}>{s.name}{s.stored ? '' : ' (empty)'}</option>)}
            </select>
          </label>
          <span class={live.connected ? 'live on' : 'live'} title={live.connected ? 'live: changes appear as they are written' : 'not connected'}>
            {live.connected ? 'live' : 'offline'}
          </span>
        </div>
      </header>
      <main>
        {route.page === 'overview' && <Overview spot={spot} codecModule={list.codec.module} version={live.version} ask={ask} />}
        {route.page === 'entries' && <Entries spot={spot} query={route.query} version={live.version} />}
        {route.page === 'entry' && route.key && <EntryPage key={`${spot}/${route.key}`} spot={spot} entryKey={route.key} version={live.version} ask={ask} />}
      </main>
      {dialog}
    </>
  );
}

render(<App />, document.getElementById('app')!);
