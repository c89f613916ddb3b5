import { takeOverExitSummary } from '../../runtime/spot/event-hub.js';
import { INTERVAL_MS, LiveLine } from './live-line.js';
import { RunTally } from './run-tally.js';
import { statusLine } from './status-line.js';

/** `live`: the status line and the summary (stderr is a terminal); `summary`: only the summary; `off`: neither. */
export type ProgressMode = 'live' | 'summary' | 'off';

/** Off with `--quiet` or BEAUTYSPOT_PROGRESS=0; live on a terminal (unless TERM=dumb); else the summary alone. */
export function progressMode(quiet: boolean, env: NodeJS.ProcessEnv, stderr: { isTTY?: boolean }): ProgressMode {
  if (quiet || env.BEAUTYSPOT_PROGRESS === '0') return 'off';
  return stderr.isTTY && env.TERM !== 'dumb' ? 'live' : 'summary';
}

/**
 * Shows what the script's cached calls do while it runs (mode `live`) and prints one summary line per spot it used
 * at exit, in place of the runtime's own exit summary, so it never prints twice. Nothing else of the script's
 * output is touched, and its exit code stays its own.
 */
export function startProgress(mode: Exclude<ProgressMode, 'off'>): void {
  let live: LiveLine | undefined;
  // A wait that outlasts the next redraw is drawn at once: a sync caller's wait blocks the timer.
  const tally = new RunTally(wait => live?.update(wait !== undefined && wait.ms >= INTERVAL_MS));
  tally.observe();
  takeOverExitSummary();
  if (mode === 'live') {
    live = new LiveLine(process.stderr, now => statusLine(tally, now), [process.stdout]);
    // Before Node prints an uncaught error (straight to the terminal, past process.stderr.write).
    process.on('uncaughtExceptionMonitor', () => live?.clear());
  }
  process.once('exit', () => {
    live?.stop();
    for (const line of tally.summary()) process.stderr.write(`${line}\n`);
  });
}
