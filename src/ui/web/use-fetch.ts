import { useEffect, useState } from 'preact/hooks';

/** Fetches when the dependencies change; keeps showing the last answer while the next one comes. */
export function useFetch<T>(load: () => Promise<T>, deps: unknown[]): { data: T | undefined; error: string | undefined; ms: number | undefined } {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; ms: number | undefined }>({ data: undefined, error: undefined, ms: undefined });
  useEffect(() => {
    let current = true;
    const started = performance.now();
    load().then(
      data => current && setState({ data, error: undefined, ms: performance.now() - started }),
      (error: unknown) => current && setState(s => ({ ...s, error: error instanceof Error ? error.message : String(error) })),
    );
    return () => {
      current = false;
    };
  }, deps);
  return state;
}
