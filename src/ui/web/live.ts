import { useEffect, useState } from 'preact/hooks';
import type { ChangeEvent } from '../protocol.js';

/**
 * Live updates of a spot: a number that grows with each change the server pushes (another process wrote the cache),
 * so views that depend on it fetch again; and whether the stream is connected.
 */
export function useLive(spot: string | undefined): { version: number; spotsVersion: number; connected: boolean } {
  const [state, setState] = useState({ version: 0, spotsVersion: 0, connected: false });
  useEffect(() => {
    if (!spot) return;
    const source = new EventSource(`/api/events?spot=${encodeURIComponent(spot)}`);
    source.onopen = () => setState(s => ({ ...s, connected: true }));
    source.onerror = () => setState(s => ({ ...s, connected: false }));
    source.addEventListener('change', event => {
      const change = JSON.parse((event as MessageEvent<string>).data) as ChangeEvent;
      setState(s => ({ ...s, version: s.version + 1, spotsVersion: s.spotsVersion + (change.spots ? 1 : 0) }));
    });
    return () => source.close();
  }, [spot]);
  return state;
}
