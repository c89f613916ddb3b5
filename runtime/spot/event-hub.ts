import type { ObservedEvents, ObservedKind } from './events.js';

/** One listener, for one function id or (fn undefined) all of them. */
export interface Subscription {
  kind: ObservedKind;
  listener: (event: never) => unknown;
  fn: string | undefined;
}

/**
 * What every copy of the runtime in the process shares (a CLI and the script it runs may load beautyspot from two
 * installs): the tools' observers, a version that moves whenever a listener is added or removed anywhere (calls
 * compare it to re-resolve their listeners), and whether a tool prints the exit summary. Made on first use.
 */
export interface EventHub {
  version: number;
  observers: Subscription[];
  toolSummary: boolean;
}

const HUB = Symbol.for('beautyspot.event-hub.v1');

export function eventHub(): EventHub {
  const global = globalThis as { [HUB]?: EventHub };
  return (global[HUB] ??= { version: 0, observers: [], toolSummary: false });
}

/** Adds a subscription to `list`; returns the function that removes it. Calls see the change at their next start. */
export function subscribe(list: Subscription[], kind: ObservedKind, listener: (event: never) => unknown, fn?: string): () => void {
  const subscription: Subscription = { kind, listener, fn };
  list.push(subscription);
  eventHub().version++;
  return () => {
    const at = list.indexOf(subscription);
    if (at < 0) return;
    list.splice(at, 1);
    eventHub().version++;
  };
}

/**
 * @internal For tools (`beautyspot run`): listens to one kind of event of every spot in the process, spots
 * defined later included. Besides the spot events, `wait` (a call about to wait for its rate limiter) and `done`
 * (a body finished). Returns the function that stops listening.
 */
export function observeEvents<K extends ObservedKind>(kind: K, listener: (event: ObservedEvents[K]) => void): () => void {
  return subscribe(eventHub().observers, kind, listener as (event: never) => unknown);
}

/** @internal A tool prints the summary at exit: the runtime's own exit line (`summary`, $BEAUTYSPOT_SUMMARY) is left out. */
export function takeOverExitSummary(): void {
  eventHub().toolSummary = true;
}

/** Whether a tool prints the exit summary. */
export function exitSummaryTaken(): boolean {
  return eventHub().toolSummary;
}
