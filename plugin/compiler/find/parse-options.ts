import { parseAccess } from '../../../runtime/access.js';
import { messageOf } from '../../../runtime/errors.js';
import { parseDuration } from '../../../runtime/duration.js';
import { checkOptionNames } from '../../../runtime/option-names.js';
import { EVENT_OPTIONS } from '../../../runtime/spot/events.js';
import { MARK_OPTION_TABLE, MARK_OPTIONS, type MarkOptionKind, type MarkOptionName } from '../../../runtime/spot/option-table.js';
import { splitWords } from './split-words.js';

/** How each kind of option is written in an annotation, and what the parser keeps of it. */
const ANNOTATION_KINDS = {
  label: text,
  id: text,
  spotName: text,
  /** Source text, compiled into the key code. */
  expression: text,
  /** A number, or an expression over the parameters (source text). */
  cost: text,
  duration: (value: string): string => (parseDuration(value, 'option "ttl"'), value),
  access: (value: string): string => (parseAccess(value, 'option "access"'), value),
  limit: (value: string): string | false => (value === 'false' ? false : value),
  list: (value: string): string[] => value.split(',').filter(Boolean),
  count,
  flag,
} satisfies Record<MarkOptionKind, (value: string, name: string) => unknown>;

type Row = (typeof MARK_OPTION_TABLE)[number];
/** Annotation options as written: literal values checked, expressions (`key`, `cost`) kept as source text. */
export type AnnotationOptions = { [O in Row as O['name']]?: ReturnType<(typeof ANNOTATION_KINDS)[O['kind']]> };

const KIND_OF = new Map<string, MarkOptionKind>(MARK_OPTION_TABLE.map(o => [o.name, o.kind]));

/** A wrong option, with where its word starts in the options text (so the diagnostic points at it). */
export class OptionError extends Error {
  override name = 'OptionError';
  constructor(message: string, readonly at: number) {
    super(message);
  }
}

/**
 * Parses `version=2 ttl=7d blob key=[url, depth]`. Throws an OptionError whose message says what is wrong and
 * how to write it; the caller adds `file:line:col`.
 */
export function parseAnnotationOptions(text: string): AnnotationOptions {
  const options: Record<string, unknown> = {};
  for (const word of splitWords(text)) {
    try {
      readOption(word.text, options);
    } catch (error) {
      throw new OptionError(messageOf(error), word.at);
    }
  }
  return options as AnnotationOptions;
}

function readOption(word: string, options: Record<string, unknown>): void {
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`"${word}" is not an option; options are written name=value (e.g. ttl=7d)`);
  if (name in options) throw new Error(`option "${name}" is given twice`);
  if (Object.hasOwn(EVENT_OPTIONS, name)) {
    const event = EVENT_OPTIONS[name as keyof typeof EVENT_OPTIONS];
    throw new Error(`option "${name}" takes a function, which an annotation cannot hold; listen from code instead: ` +
      `spot.on("${event}", listener, { fn: "<file>#<function>" }) on the function's spot (getSpot() for the default one)`);
  }
  checkOptionNames({ [name]: true }, MARK_OPTIONS, 'mark');
  const kind = KIND_OF.get(name as MarkOptionName)!;
  if (eq < 0) {
    if (kind !== 'flag') throw new Error(`option "${name}" needs a value: ${name}=…`);
    options[name] = true;
    return;
  }
  const value = word.slice(eq + 1);
  if (value === '') throw new Error(`option "${name}" has an empty value`);
  options[name] = ANNOTATION_KINDS[kind](value, name);
}

function text(value: string): string {
  return value;
}

function flag(value: string, name: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`option "${name}" is true or false, got "${value}"`);
}

function count(value: string, name: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`option "${name}" is a whole number of entries, e.g. ${name}=1000; got "${value}"`);
  return Number(value);
}
