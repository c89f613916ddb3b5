import { BeautyspotError } from '../errors.js';
import { SCHEMA_VERSION } from './sqlite-schema.js';

/** A cache file written by a newer beautyspot: left untouched. */
export class SchemaTooNewError extends BeautyspotError {
  override name = 'SchemaTooNewError';
  constructor(readonly file: string, readonly version: number) {
    super(`[beautyspot] ${file} has schema version ${version}, newer than this beautyspot understands (${SCHEMA_VERSION}). ` +
      'Upgrade beautyspot, or point this spot at another directory.');
  }
}

/** An older cache file that cannot be migrated because this process may not write it. */
export class SchemaTooOldError extends BeautyspotError {
  override name = 'SchemaTooOldError';
  constructor(readonly file: string, readonly version: number) {
    super(`[beautyspot] ${file} has schema version ${version}, older than this beautyspot's (${SCHEMA_VERSION}), and is read-only here. ` +
      'Open it once where it is writable to upgrade it.');
  }
}
