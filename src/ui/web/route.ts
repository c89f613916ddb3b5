import { useEffect, useState } from 'preact/hooks';

/** Where the page is: `#/overview`, `#/entries?fn=…`, `#/entry/<key>`, each with `spot=` in its query. */
export interface Route {
  page: 'overview' | 'entries' | 'entry';
  key?: string;
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page, ...rest] = path.split('/');
  const query = new URLSearchParams(search);
  if (page === 'entry' && rest.length > 0) return { page: 'entry', key: decodeURIComponent(rest.join('/')), query };
  return { page: page === 'entries' ? 'entries' : 'overview', query };
}

export function href(page: Route['page'], values: Record<string, string | undefined>, key?: string): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  const search = query.toString();
  return `#/${page}${key ? `/${encodeURIComponent(key)}` : ''}${search ? `?${search}` : ''}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
