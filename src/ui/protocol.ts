// The JSON the dashboard's server answers and its page reads: one definition for both sides.
import type { EntryInfo } from '../../runtime/store/store.js';
import type { Explanation } from '../cache/why.js';
import type { CodeRecord, DayStats, EntryPage, FunctionSummary } from '../cache/cache-view.js';

export type { CodeRecord, DayStats, EntryInfo, EntryPage, Explanation, FunctionSummary };

/** The header that carries the token on API calls (mutations need it: the cookie alone does not suffice). */
export const TOKEN_HEADER = 'x-beautyspot-token';

export interface SpotsAnswer {
  spots: { name: string; stored: boolean }[];
  /** The codec the values are decoded with. */
  codec: { module: string | null };
}

export interface OverviewAnswer {
  spot: string;
  /** Where the entries live; null when the spot has no file yet. */
  where: string | null;
  functions: FunctionSummary[];
  days: DayStats[];
  tags: { tag: string; entries: number }[];
}

/** One entry's page: its row, why it was computed, and the code records its key names. */
export interface EntryAnswer {
  entry: EntryInfo;
  /** Null when the explanation could not be made (see `note`). */
  why: Explanation | null;
  code: CodeRecord | null;
}

/** How a value can be shown. */
export type ContentKind = 'tree' | 'text' | 'markdown' | 'png' | 'jpeg' | 'svg' | 'html' | 'hex';

/** A decoded value as data for the JSON tree: every type the codec stores, told apart. */
export type ValueNode =
  | { t: 'null' | 'undefined' }
  | { t: 'boolean'; v: boolean }
  /** Numbers as text, so NaN, ±Infinity and -0 survive JSON. */
  | { t: 'number' | 'bigint' | 'date' | 'regexp'; v: string }
  | { t: 'string'; v: string; cut?: number }
  | { t: 'array' | 'set'; items: ValueNode[]; cut?: number }
  | { t: 'object'; cls?: string; fields: [string, ValueNode][]; cut?: number }
  | { t: 'map'; pairs: [ValueNode, ValueNode][]; cut?: number }
  | { t: 'binary'; kind: string; bytes: number; hex: string }
  | { t: 'error'; name: string; message: string; stack: string }
  /** Past the node budget: the rest is not shown. */
  | { t: 'more' };

export interface PreviewAnswer {
  /** How it is shown now, and the ways it could be. */
  kind: ContentKind;
  sniffed: ContentKind;
  kinds: ContentKind[];
  /** Encoded size, and whether it lives in a blob. */
  bytes: number;
  blob: string | null;
  async: boolean;
  tree?: ValueNode;
  text?: string;
  /** Characters or bytes left out of `text` / the hex dump. */
  cut?: number;
  /** The hex dump (kind hex): of the value's bytes, or of the encoded bytes when it could not be decoded. */
  hex?: string;
  /** Why the value is not shown decoded, and what to do. */
  note?: string;
}

/** What a live-update event carries. */
export interface ChangeEvent {
  spot: string;
  /** Spots were added or removed. */
  spots: boolean;
}
