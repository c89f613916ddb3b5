/**
 * What one comment says, by the rules of what an annotation is. An annotation is exactly one of:
 * - the JSDoc tag `@mark` at the start of a line of a `/** … *\/` comment (after the `*` that may start it),
 *   its options up to the end of that line;
 * - the pragma `// beautyspot: mark` (spaces optional) as a line comment, its options up to the end of the line.
 * Text that looks like one but is not (`@Mark`, `@marked`, `@mark:`, `/* @mark *\/`, `// @mark`,
 * `beautyspot: Mark`, `@beautyspot`, or `@mark` in the middle of a sentence) is a near miss; the caller decides
 * whether it is worth a warning (above a function it is).
 */
export type CommentReading =
  | { kind: 'annotation'; /** Offset of the tag in the comment. */ at: number; options: string; /** Offset of `options`. */ optionsAt: number }
  | { kind: 'near-miss'; at: number; written: string; suggestion: string }
  | undefined;

export const JSDOC_SUGGESTION = '/** @mark */';
export const PRAGMA_SUGGESTION = '// beautyspot: mark';

const JSDOC_TAG = /^@mark(?=\s|$)/;
const PRAGMA = /^beautyspot:\s*mark(?=\s|$)/;
/** A near miss starting a comment line. */
const LINE_START_NEAR_MISS = /^(?:@\s?(?:mark(?:s|ed|er)?|beauty-?spot)(?![\w-])[:=]?|beauty-?spot\s*[:=]?\s*mark\w*)/i;
/** A near miss anywhere in the text: a tag-like word (`@mark` as prose, `@Mark`, `@marked`, `@beautyspot`). */
const ANYWHERE_NEAR_MISS = /(?<![\w@-])@(?:mark(?:s|ed|er)?|beauty-?spot)(?![\w-])/i;

export function readComment(text: string): CommentReading {
  const isLine = text.startsWith('//');
  const isJSDoc = text.startsWith('/**') && !text.startsWith('/**/');
  let nearMiss: CommentReading;
  let lineStart = 0;
  for (const line of text.split('\n')) {
    const content = lineContent(line, lineStart === 0, isLine);
    const at = lineStart + content.offset;
    const annotation = isJSDoc ? JSDOC_TAG.exec(content.text) : isLine ? PRAGMA.exec(content.text) : null;
    if (annotation) {
      const rest = content.text.slice(annotation[0].length);
      const optionsAt = at + annotation[0].length + (rest.length - rest.trimStart().length);
      // A pragma is pointed at by its `//`, a tag by its `@mark`.
      return { kind: 'annotation', at: isLine ? 0 : at, options: rest.trim(), optionsAt };
    }
    const miss = LINE_START_NEAR_MISS.exec(content.text);
    nearMiss ??= miss ? { kind: 'near-miss', at, written: miss[0], suggestion: suggestionFor(miss[0]) } : undefined;
    lineStart += line.length + 1;
  }
  if (nearMiss) return nearMiss;
  const prose = ANYWHERE_NEAR_MISS.exec(text);
  return prose ? { kind: 'near-miss', at: prose.index, written: prose[0], suggestion: JSDOC_SUGGESTION } : undefined;
}

/** A comment line without its comment syntax (`//`, `/**`, a leading `*`, a closing `*\/`) and white space. */
function lineContent(line: string, first: boolean, isLine: boolean): { text: string; offset: number } {
  const opener = first ? (isLine ? /^\/\/\s*/ : /^\/\*+\s*/) : isLine ? /^/ : /^\s*(?:\*(?!\/)\s*)?/;
  const offset = opener.exec(line)![0].length;
  const text = line.slice(offset).replace(/\*\/\s*$/, '');
  return { text, offset };
}

function suggestionFor(written: string): string {
  return /^beauty/i.test(written) ? PRAGMA_SUGGESTION : JSDOC_SUGGESTION;
}
