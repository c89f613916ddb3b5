/**
 * What a local tier wrote because its remote could not take it (entry keys, blob refs), and the copying of it up
 * once the remote answers: a few items per sync call, so no call waits long, or everything in the background for
 * async callers. `copyUp(item)` answers false when the remote failed again (it re-adds the item): the replay stops.
 */
export class Replay {
  private readonly pending = new Set<string>();
  private running: Promise<void> | undefined;

  constructor(private readonly perSyncCall: number) {}

  add(item: string): void {
    this.pending.add(item);
  }

  /** Whether the item was pending (and is not any more). */
  delete(item: string): boolean {
    return this.pending.delete(item);
  }

  some(copyUp: (item: string) => boolean): void {
    if (this.pending.size === 0 || this.running) return;
    let budget = this.perSyncCall;
    for (const item of this.pending) {
      if (budget-- === 0) return;
      this.pending.delete(item);
      if (!copyUp(item)) return;
    }
  }

  inBackground(copyUp: (item: string) => Promise<boolean>): void {
    if (this.pending.size === 0 || this.running) return;
    this.running = (async () => {
      for (const item of this.pending) {
        this.pending.delete(item);
        if (!(await copyUp(item))) return;
      }
    })().catch(() => {
      // the local tier failed: what is still pending is retried on a later call
    }).finally(() => {
      this.running = undefined;
    });
  }
}
