/** One option word and where it starts in the options text. */
export interface Word {
  text: string;
  at: number;
}

/**
 * Splits annotation options into `name=value` words at top-level white space, so an expression value may
 * contain spaces inside brackets or quotes: `key=[url, opts.depth] ttl=7d`.
 */
export function splitWords(text: string): Word[] {
  const words: Word[] = [];
  let word = '';
  let at = 0;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (!word) at = i;
    if (quote) {
      word += c;
      if (c === '\\') word += text[++i] ?? '';
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (/\s/.test(c) && depth <= 0) {
      if (word) words.push({ text: word, at });
      word = '';
      continue;
    }
    word += c;
  }
  if (word) words.push({ text: word, at });
  return words;
}
