import { observeEvents } from '../../runtime/spot/event-hub.js';
import type { WaitEvent } from '../../runtime/spot/events.js';
import { emptySession, summaryLine, type SessionStats } from '../../runtime/spot/stats.js';

/** A body under way (or waiting for its rate limit), for the status line. */
export interface Running {
  fn: string;
  /** performance.now() when it began to run or to wait. */
  since: number;
  /** performance.now() when its rate-limit wait ends, while it waits. */
  waitsUntil?: number;
}

/**
 * What `beautyspot run` counts of the script's calls, from the events of every spot: per spot the summary's
 * counters, the bodies now running and the rate-limit waits. `changed` is called on every event (with the wait, for one).
 */
export class RunTally {
  readonly spots = new Map<string, SessionStats>();
  /** By spot and key. */
  readonly running = new Map<string, Running>();
  waits = 0;
  waitedMs = 0;

  constructor(private readonly changed: (wait?: WaitEvent) => void = () => undefined) {}

  /** Starts counting; returns the function that stops. */
  observe(): () => void {
    const stops = [
      observeEvents('hit', e => this.count(e.spot, s => {
        s.hits++;
        s.savedMs += e.savedMs;
      })),
      observeEvents('miss', e => this.count(e.spot, s => {
        s.misses++;
        this.running.set(`${e.spot}\0${e.key}`, { fn: e.fn, since: performance.now() });
      })),
      observeEvents('wait', e => this.count(e.spot, () => {
        this.waits++;
        this.waitedMs += e.ms;
        const now = performance.now();
        this.running.set(`${e.spot}\0${e.key}`, { fn: e.fn, since: now, waitsUntil: now + e.ms });
      }, e)),
      observeEvents('done', e => this.count(e.spot, s => {
        s.computeMs += e.ms;
        this.running.delete(`${e.spot}\0${e.key}`);
      })),
      observeEvents('store', e => this.count(e.spot, s => {
        s.writes++;
        s.bytesWritten += e.size;
      })),
      observeEvents('error', e => this.count(e.spot, s => {
        s.errors++;
      })),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  /** Hits, misses and time saved over every spot. */
  totals(): { hits: number; misses: number; savedMs: number } {
    const totals = { hits: 0, misses: 0, savedMs: 0 };
    for (const s of this.spots.values()) {
      totals.hits += s.hits;
      totals.misses += s.misses;
      totals.savedMs += s.savedMs;
    }
    return totals;
  }

  /** The summary: one line per spot the script used, as the runtime's exit summary writes it. */
  summary(): string[] {
    return [...this.spots].map(([name, stats]) => summaryLine(name, stats));
  }

  private count(spot: string, update: (stats: SessionStats) => void, wait?: WaitEvent): void {
    let stats = this.spots.get(spot);
    if (!stats) this.spots.set(spot, (stats = emptySession()));
    update(stats);
    this.changed(wait);
  }
}
