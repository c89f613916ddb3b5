import { parseAccess } from '../../../runtime/access.js';
import { messageOf } from '../../../runtime/errors.js';
import { parseDuration } from '../../../runtime/duration.js';
import { checkOptionNames } from '../../../runtime/option-names.js';
import { EVENT_OPTIONS } from '../../../runtime/spot/events.js';
import { MARK_OPTIONS } from '../../../runtime/spot/mark-options.js';
import { splitWords } from './split-words.js';

/** Annotation options as written: literal values checked, expressions (`key`, `cost`) kept as source text. */
export interface AnnotationOptions {
  version?: string;
  name?: string;
  ttl?: string;
  blob?: boolean;
  spot?: string;
  /** A key expression over the parameters, compiled into the key code. */
  key?: string;
  access?: string;
  /** A number, or an expression over the parameters. */
  cost?: string;
  limit?: string | false;
  codeHash?: boolean;
  tags?: string[];
}

const FLAGS = new Set(['blob', 'codeHash']);

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
  const options: AnnotationOptions = {};
  const seen = new Set<string>();
  for (const word of splitWords(text)) {
    try {
      readOption(word.text, options, seen);
    } catch (error) {
      throw new OptionError(messageOf(error), word.at);
    }
  }
  return options;
}

function readOption(word: string, options: AnnotationOptions, seen: Set<string>): void {
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  const value: string | true = eq < 0 ? true : word.slice(eq + 1);
  if (!/^[A-Za-z]+$/.test(name)) throw new Error(`"${word}" is not an option; options are written name=value (e.g. ttl=7d)`);
  if (seen.has(name)) throw new Error(`option "${name}" is given twice`);
  seen.add(name);
  if (Object.hasOwn(EVENT_OPTIONS, name)) {
    const event = EVENT_OPTIONS[name as keyof typeof EVENT_OPTIONS];
    throw new Error(`option "${name}" takes a function, which an annotation cannot hold; listen from code instead: ` +
      `spot.on("${event}", listener, { fn: "<file>#<function>" }) on the function's spot (getSpot() for the default one)`);
  }
  checkOptionNames({ [name]: value }, MARK_OPTIONS, 'mark');
  if (value === true && !FLAGS.has(name)) throw new Error(`option "${name}" needs a value: ${name}=…`);
  if (value === '') throw new Error(`option "${name}" has an empty value`);
  switch (name) {
    case 'blob':
    case 'codeHash':
      options[name] = flag(name, value);
      break;
    case 'ttl':
      parseDuration(value, 'option "ttl"');
      options.ttl = value as string;
      break;
    case 'access':
      parseAccess(value, 'option "access"');
      options.access = value as string;
      break;
    case 'limit':
      options.limit = value === 'false' ? false : (value as string);
      break;
    case 'tags':
      options.tags = (value as string).split(',').filter(Boolean);
      break;
    case 'version':
    case 'name':
    case 'spot':
    case 'key':
    case 'cost':
      options[name] = value as string;
      break;
  }
}

function flag(name: string, value: string | true): boolean {
  if (value === true || value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`option "${name}" is true or false, got "${value}"`);
}
