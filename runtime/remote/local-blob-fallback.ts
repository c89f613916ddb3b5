import { CorruptEntryError } from '../errors.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { FallbackOptions } from './local-fallback.js';
import { Outage } from './outage.js';
import { Replay } from './replay.js';

/** How many blobs written locally during an outage a sync call copies up once the remote answers again. */
const REPLAY_PER_CALL = 4;

/**
 * A remote blob store with the spot's local one as the tier for outages. Refs are content addresses (sha256
 * hex), the same in every blob store, so a blob written locally during an outage keeps its ref and moves up
 * to the remote once it answers. A get falls back to the local copy on any remote error, a missing or damaged
 * remote blob included (the local copy is checked against the same hash), and moves a local find up.
 */
export function withLocalBlobFallback(remote: BlobStore, local: () => BlobStore, report: (error: unknown) => void,
  options: FallbackOptions = {}): BlobStore {
  return new FallbackBlobs(remote, local, new Outage('blob store', report, options.retryMs));
}

class FallbackBlobs implements BlobStore {
  readonly putAsync?: (bytes: Uint8Array) => Promise<string>;
  readonly getAsync?: (ref: string) => Promise<Uint8Array>;
  private opened: BlobStore | undefined;
  /** Refs written to the local blob store because the remote could not take them. */
  private readonly pending = new Replay(REPLAY_PER_CALL);

  constructor(private readonly remote: BlobStore, private readonly openLocal: () => BlobStore, private readonly outage: Outage) {
    if (remote.putAsync) this.putAsync = bytes => this.putToAsync(remote.putAsync!.bind(remote), bytes);
    if (remote.getAsync) this.getAsync = ref => this.getFromAsync(remote.getAsync!.bind(remote), ref);
  }

  put(bytes: Uint8Array): string {
    const ref = this.outage.attempt<string | undefined>(() => this.remote.put(bytes), () => undefined);
    if (ref === undefined) return this.putLocal(bytes);
    this.sent(ref);
    this.replaySome();
    return ref;
  }

  get(ref: string): Uint8Array {
    let bytes: Uint8Array | undefined;
    let missing = false;
    try {
      bytes = this.outage.attempt<Uint8Array | undefined>(() => this.remote.get(ref), () => undefined);
    } catch (error) {
      if (!(error instanceof CorruptEntryError)) throw error;
      missing = true;
    }
    if (bytes) {
      this.replaySome();
      return bytes;
    }
    const local = this.local().get(ref);
    if (missing) this.moveUp(ref, local);
    return local;
  }

  private async putToAsync(putAsync: (bytes: Uint8Array) => Promise<string>, bytes: Uint8Array): Promise<string> {
    const ref = await this.outage.attemptAsync<string | undefined>(() => putAsync(bytes), () => undefined);
    if (ref === undefined) return this.putLocal(bytes);
    this.sent(ref);
    this.replayInBackground();
    return ref;
  }

  private async getFromAsync(getAsync: (ref: string) => Promise<Uint8Array>, ref: string): Promise<Uint8Array> {
    let bytes: Uint8Array | undefined;
    let missing = false;
    try {
      bytes = await this.outage.attemptAsync<Uint8Array | undefined>(() => getAsync(ref), () => undefined);
    } catch (error) {
      if (!(error instanceof CorruptEntryError)) throw error;
      missing = true;
    }
    if (bytes) {
      this.replayInBackground();
      return bytes;
    }
    const local = this.local().get(ref);
    if (missing) {
      void this.moveUpAsync(ref, local).catch(() => {
        // the local copy could not be dropped: harmless
      });
    }
    return local;
  }

  private putLocal(bytes: Uint8Array): string {
    const ref = this.local().put(bytes);
    this.pending.add(ref);
    return ref;
  }

  /** The remote has the blob now: the local copy written during an outage is not needed any more. */
  private sent(ref: string): void {
    if (this.pending.delete(ref)) this.local().delete(ref);
  }

  /** Copies a blob to the remote and drops the local copy; when the remote fails, it stays pending. */
  private moveUp(ref: string, bytes: Uint8Array): boolean {
    return this.moved(ref, this.outage.attempt(() => this.remote.put(bytes), () => undefined));
  }

  private async moveUpAsync(ref: string, bytes: Uint8Array): Promise<boolean> {
    const putAsync = this.remote.putAsync?.bind(this.remote);
    if (!putAsync) return this.moveUp(ref, bytes);
    return this.moved(ref, await this.outage.attemptAsync<string | undefined>(() => putAsync(bytes), () => undefined));
  }

  private moved(ref: string, stored: string | undefined): boolean {
    this.pending.delete(ref);
    // The remote names the bytes by the same hash; a store that names them otherwise keeps the local copy.
    if (stored === ref) this.local().delete(ref);
    else if (stored === undefined) this.pending.add(ref);
    return stored !== undefined;
  }

  /** The bytes of a pending ref; undefined when there is no intact local copy. */
  private takePending(ref: string): Uint8Array | undefined {
    try {
      return this.local().get(ref);
    } catch (error) {
      if (error instanceof CorruptEntryError) return undefined;
      throw error;
    }
  }

  private replaySome(): void {
    this.pending.some(ref => {
      const bytes = this.takePending(ref);
      return !bytes || this.moveUp(ref, bytes);
    });
  }

  private replayInBackground(): void {
    this.pending.inBackground(async ref => {
      const bytes = this.takePending(ref);
      return !bytes || this.moveUpAsync(ref, bytes);
    });
  }

  private local(): BlobStore {
    return (this.opened ??= this.openLocal());
  }

  delete(ref: string): void {
    this.pending.delete(ref);
    this.local().delete(ref);
    this.remote.delete(ref);
  }

  list(): Iterable<{ ref: string; mtimeMs: number }> {
    return this.remote.list();
  }

  removeAbandoned(olderThanMs: number): number {
    return (this.remote.removeAbandoned?.(olderThanMs) ?? 0) + (this.local().removeAbandoned?.(olderThanMs) ?? 0);
  }
}
