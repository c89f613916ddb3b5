/**
 * Splits annotation options into `name=value` words at top-level white space, so an expression value may
 * contain spaces inside brackets or quotes: `key=[url, opts.depth] ttl=7d`.
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
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
      if (word) words.push(word);
      word = '';
      continue;
    }
    word += c;
  }
  if (word) words.push(word);
  return words;
}
