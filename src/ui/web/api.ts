import { TOKEN_HEADER } from '../protocol.js';

const token = document.querySelector<HTMLMetaElement>('meta[name="beautyspot-token"]')?.content ?? '';

export class ApiError extends Error {}

async function answer<T>(response: Response): Promise<T> {
  const body = await response.json().catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok) throw new ApiError((body as { error?: string }).error ?? `${response.status}`);
  return body as T;
}

/** Query strings of the API: empty and undefined values left out. */
export function params(values: Record<string, string | number | boolean | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined && value !== '') search.set(name, String(value));
  return search.toString();
}

export const get = <T>(path: string, values: Record<string, string | number | boolean | undefined> = {}): Promise<T> =>
  fetch(`/api/${path}?${params(values)}`, { credentials: 'same-origin' }).then(r => answer<T>(r));

/** A change: the token goes in a header (the cookie alone is refused). */
export function send<T>(method: 'POST' | 'DELETE', path: string, body: Record<string, string>, query: Record<string, string> = {}): Promise<T> {
  return fetch(`/api/${path}?${params(query)}`, {
    method,
    credentials: 'same-origin',
    headers: { [TOKEN_HEADER]: token, 'content-type': 'application/json' },
    body: method === 'POST' ? JSON.stringify(body) : undefined,
  }).then(r => answer<T>(r));
}

/** The URL of a value served as an image or an HTML page. */
export const rawUrl = (spot: string, key: string, as: string): string => `/api/raw?${params({ spot, key, as })}`;
