// The public API of the beautyspot runtime.
export { defineSpot, getSpot, definedSpots, mark, cachedRun, markCompiled } from './spot/registry.js';
export { Spot, type SpotParts } from './spot/spot.js';
export type { SpotOptions } from './spot/spot-options.js';
export type { CallEvent, HitEvent, MissEvent, StoreEvent, SpotErrorEvent, SpotEvents, SpotEventKind, SpotListener } from './spot/events.js';
export type { MarkOptions } from './spot/mark-options.js';
export type { ArgKeys, CompiledKey } from './spot/cached-function.js';
export type { SessionStats, SpotStats } from './spot/stats.js';
export type { GcOptions, GcResult } from './spot/gc.js';
export type { AccessMode } from './access.js';
export type { Duration } from './duration.js';

export { KeyWriter } from './keys/key-writer.js';
export { writeDynamic } from './keys/dynamic.js';
export { keyHook } from './keys/key-hook.js';
export { fileDigest, dirDigest, type FilePath, type DirPath } from './keys/paths.js';
export type { Ignore } from './keys/ignore.js';

export { Codec, type CodecType } from './codec/codec.js';
export { registerType, defaultCodec } from './codec/default-codec.js';

export type { Store, StoredValue, EntryRecord, EntryInfo, StoreTotals, SizeLimits, ArgDigest } from './store/store.js';
export type { Leases } from './store/leases.js';
export { SqliteStore } from './store/sqlite-store.js';
export type { BlobStore } from './blobs/blob-store.js';
export { FsBlobs } from './blobs/fs-blobs.js';
export { RateLimiter, type LimitOptions, type RateLimiterSetup } from './limit/gcra.js';
export type { LimitState, Bucket } from './limit/limit-state.js';
export { MemoryLimitState } from './limit/memory-limit-state.js';

export { BeautyspotError, CacheMissError, UnkeyableValueError, UnencodableValueError, CorruptEntryError, UnregisteredTypeError, RemoteTimeoutError } from './errors.js';
