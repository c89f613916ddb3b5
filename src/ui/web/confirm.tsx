import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Confirmation {
  title: string;
  body: ComponentChildren;
  action: string;
  run: () => Promise<string>;
}

/** A confirmation before a change: what it does, Cancel or the action; then what happened. */
export function useConfirm(): { ask: (c: Confirmation) => void; dialog: ComponentChildren } {
  const [pending, setPending] = useState<Confirmation | undefined>();
  const [state, setState] = useState<{ busy: boolean; result?: string; error?: string }>({ busy: false });
  const close = (): void => {
    setPending(undefined);
    setState({ busy: false });
  };
  const run = (): void => {
    if (!pending) return;
    setState({ busy: true });
    pending.run().then(result => setState({ busy: false, result }), (error: Error) => setState({ busy: false, error: error.message }));
  };
  const dialog = pending && (
    <div class="overlay" onClick={e => e.target === e.currentTarget && !state.busy && close()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title">
        <h2 id="dialog-title">{pending.title}</h2>
        {state.result ? <p class="ok">{state.result}</p> : state.error ? <p class="error">{state.error}</p> : <div>{pending.body}</div>}
        <div class="actions">
          {state.result || state.error ? <button onClick={close}>Close</button> : (
            <>
              <button onClick={close} disabled={state.busy}>Cancel</button>
              <button class="danger" onClick={run} disabled={state.busy}>{state.busy ? 'Working…' : pending.action}</button>
            </>
          )}
        </div>
      </div>
    </div>
  );
  return { ask: c => setPending(c), dialog };
}
