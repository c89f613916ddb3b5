/** Base class of every error the runtime throws on purpose. */
export class BeautyspotError extends Error {
  override name = 'BeautyspotError';
}

/** An error's message without the `[beautyspot] ` prefix, for quoting it inside another message. */
export function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/^\[beautyspot\] /, '');
}

/** Thrown in access mode `r` (cache only) when a call is not in the cache. */
export class CacheMissError extends BeautyspotError {
  override name = 'CacheMissError';
  constructor(readonly fn: string) {
    super(`[beautyspot] ${fn}: no cached result for these arguments, and access mode "r" forbids running it. ` +
      'Run once with access "rew" (the default) to fill the cache, or unset BEAUTYSPOT_ACCESS.');
  }
}

/**
 * A value that has no cache key: a function, a symbol, a class instance without a key hook, a cycle, or a
 * FilePath/DirPath argument that is not a readable file/directory. `path` names the argument (a parameter path).
 */
export class UnkeyableValueError extends BeautyspotError {
  override name = 'UnkeyableValueError';
  constructor(readonly path: string, readonly reason: string,
    fix = 'Leave it out with a key option (key: (...args) => …), or give its class a [keyHook]() method', options?: ErrorOptions) {
    super(`[beautyspot] ${path} cannot be keyed: ${reason}. ${fix}.`, options);
  }
}

/** A result the codec cannot store. The caller still gets the result; it is just not cached. */
export class UnencodableValueError extends BeautyspotError {
  override name = 'UnencodableValueError';
  constructor(readonly path: string, readonly reason: string) {
    super(`[beautyspot] ${path} cannot be stored: ${reason}. ` +
      'Return plain data, or register the type with registerType({ name, class, encode, decode }).');
  }
}

/** A stored entry or blob that cannot be read back; the call path turns it into a miss. */
export class CorruptEntryError extends BeautyspotError {
  override name = 'CorruptEntryError';
}

/** A stored value of a registered type this process has not registered (still a miss; the tools say how to load it). */
export class UnregisteredTypeError extends CorruptEntryError {
  override name = 'UnregisteredTypeError';
  constructor(readonly typeName: string) {
    const shown = typeName.length > 80 ? `${typeName.slice(0, 80)}…` : typeName;
    super(`[beautyspot] stored value has type "${shown}", which is not registered here; call registerType for it before the first cached call`);
  }
}

/** A remote store or blob store that did not answer in time; the call path treats it as an unreachable remote. */
export class RemoteTimeoutError extends BeautyspotError {
  override name = 'RemoteTimeoutError';
}
