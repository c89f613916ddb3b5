import type { ServerResponse } from 'node:http';
import { COMMON_HEADERS } from './guard.js';
import type { ChangeEvent } from './protocol.js';
import type { SpotViews } from './spot-views.js';

/** How often an idle stream gets a comment, so proxies and the browser keep it open. */
const HEARTBEAT_MS = 15_000;

/**
 * Live updates by Server-Sent Events: while a page listens, the views' change counters (SQLite's data_version,
 * which moves when another connection commits) and the list of spots are polled; a change is pushed as an event,
 * and the page fetches what it shows again.
 */
export class LiveUpdates {
  private readonly clients = new Map<ServerResponse, string>();
  private readonly seen = new Map<string, number>();
  private spots = '';
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly views: SpotViews, private readonly pollMs: number) {}

  listen(res: ServerResponse, spot: string): void {
    res.writeHead(200, { ...COMMON_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    res.write('retry: 1000\n\n');
    this.clients.set(res, spot);
    this.seen.set(spot, this.counter(spot));
    this.spots = this.views.names().join('\n');
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    });
    this.timer ??= setInterval(() => this.poll(), this.pollMs);
    this.heartbeat ??= setInterval(() => this.each(res => res.write(': still here\n\n')), HEARTBEAT_MS);
  }

  close(): void {
    this.each(res => res.end());
    this.clients.clear();
    this.stop();
  }

  private counter(spot: string): number {
    try {
      return this.views.view(spot)?.changes() ?? -1;
    } catch {
      return -2; // the file went away or cannot be read: a change too
    }
  }

  private poll(): void {
    const spots = this.views.names().join('\n');
    const spotsChanged = spots !== this.spots;
    this.spots = spots;
    const changed = new Set<string>();
    for (const spot of new Set(this.clients.values())) {
      const now = this.counter(spot);
      if (now !== this.seen.get(spot)) changed.add(spot);
      this.seen.set(spot, now);
    }
    for (const [res, spot] of this.clients) {
      if (!spotsChanged && !changed.has(spot)) continue;
      const event: ChangeEvent = { spot, spots: spotsChanged };
      res.write(`event: change\ndata: ${JSON.stringify(event)}\n\n`);
    }
  }

  private each(write: (res: ServerResponse) => void): void {
    for (const res of this.clients.keys()) write(res);
  }

  private stop(): void {
    clearInterval(this.timer);
    clearInterval(this.heartbeat);
    this.timer = this.heartbeat = undefined;
  }
}
