import type { BlobStore } from '../blobs/blob-store.js';
import { CorruptEntryError } from '../errors.js';
import { SyncBridge } from '../remote/sync-bridge.js';
import { createS3Core, putRounds, type S3Core, type S3ListPage, type S3Read, type S3UploadsPage, type UploadsMarker } from './s3-core.js';
import { resolveS3Options, type ResolvedS3Options, type S3BlobsOptions } from './s3-options.js';

/** What the sync bridge adds to the requests' own bounds: starting its worker and loading the SDK there. */
const BRIDGE_SLACK_MS = 5_000;

/**
 * Content-addressed blobs in an S3 bucket (or any S3-compatible server): `<prefix>/<first two hex>/<sha256>`,
 * the same references as FsBlobs. Bytes already there are never uploaded again; large blobs go up in parts,
 * visible only once complete; every read is checked against its hash.
 *
 * The async forms run on a client in this thread. The sync forms (what sync marked functions and gc use) run
 * the same code in a worker thread behind a SyncBridge and wait for it, each wait bounded. Nothing is opened
 * before the first use, and nothing keeps the process alive after it.
 */
export class S3Blobs implements BlobStore {
  private readonly options: ResolvedS3Options;
  private core: S3Core | undefined;
  private bridge: SyncBridge | undefined;

  constructor(private readonly given: S3BlobsOptions) {
    this.options = resolveS3Options(given);
  }

  put(bytes: Uint8Array): string {
    return this.sync<string>('put', [bytes], putRounds(bytes.byteLength, this.options.multipartThreshold));
  }

  get(ref: string): Uint8Array {
    // two requests at most: the read, and removing the object if it is damaged
    return verified(this.sync<S3Read>('read', [ref], 2));
  }

  delete(ref: string): void {
    this.sync('delete', [ref], 1);
  }

  async putAsync(bytes: Uint8Array): Promise<string> {
    return this.local().put(bytes);
  }

  async getAsync(ref: string): Promise<Uint8Array> {
    return verified(await this.local().read(ref));
  }

  *list(): Iterable<{ ref: string; mtimeMs: number }> {
    let token: string | undefined;
    do {
      const page = this.sync<S3ListPage>('listPage', [token], 1);
      yield* page.blobs;
      token = page.next;
    } while (token !== undefined);
  }

  /** Aborts the multipart uploads of writers killed midway, started before `olderThanMs`. */
  removeAbandoned(olderThanMs: number): number {
    let removed = 0;
    let marker: UploadsMarker | undefined;
    do {
      const page = this.sync<S3UploadsPage>('uploadsPage', [marker], 1);
      for (const upload of page.uploads) {
        if (upload.initiatedMs >= olderThanMs) continue;
        this.sync('abortUpload', [upload.key, upload.uploadId], 1);
        removed++;
      }
      marker = page.next;
    } while (marker !== undefined);
    return removed;
  }

  /** Ends the worker and closes the clients (they never hold the process open, so this is optional). */
  close(): void {
    this.bridge?.close();
    this.core?.close();
    this.bridge = undefined;
    this.core = undefined;
  }

  private local(): S3Core {
    return (this.core ??= createS3Core(this.given));
  }

  /** Calls the worker's core and waits, for at most `rounds` requests' bounds (made one after another). */
  private sync<T>(method: keyof S3Core, args: unknown[], rounds: number): T {
    return this.remote().call<T>(method, args, rounds * this.options.timeoutMs + BRIDGE_SLACK_MS);
  }

  private remote(): SyncBridge {
    if (this.bridge) return this.bridge;
    try {
      structuredClone(this.given);
    } catch (error) {
      throw new TypeError('[beautyspot] S3Blobs: the sync forms (put, get, delete, list) run the S3 client in a worker thread, ' +
        'and these options cannot be copied there (a function or class instance in "client", such as a credentials provider). ' +
        'Pass plain credentials, or leave them to the SDK\'s default chain (AWS_* variables, profiles).', { cause: error });
    }
    this.bridge = new SyncBridge({ module: new URL('../s3/s3-core.js', import.meta.url).href, factory: 'createS3Core', args: [this.given] });
    return this.bridge;
  }
}

function verified(read: S3Read): Uint8Array {
  if ('corrupt' in read) throw new CorruptEntryError(`[beautyspot] ${read.corrupt}`);
  return read.bytes;
}
