/** One fenced code block of a markdown file. */
export interface CodeBlock {
  /** The heading it is under and its place there, from 1: `Set-up #4`. */
  id: string;
  /** The fence's info string: `ts`, `sh`, or '' for plain text. */
  lang: string;
  code: string;
  /** 1-based line of its opening fence. */
  line: number;
}

const FENCE = /^(`{3,}|~{3,})\s*(\S*)/;
const HEADING = /^#{1,6}\s+(.+?)\s*#*\s*$/;

/** The fenced code blocks of a markdown text, in order (headings inside blocks are code, not headings). */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const perHeading = new Map<string, number>();
  let heading = '';
  let open: { fence: string; lang: string; line: number; lines: string[] } | undefined;
  markdown.split('\n').forEach((text, index) => {
    if (open) {
      if (text.trimEnd() === open.fence) {
        const n = (perHeading.get(heading) ?? 0) + 1;
        perHeading.set(heading, n);
        blocks.push({ id: `${heading} #${n}`, lang: open.lang, code: open.lines.join('\n'), line: open.line });
        open = undefined;
      } else {
        open.lines.push(text);
      }
      return;
    }
    const fence = FENCE.exec(text);
    if (fence) open = { fence: fence[1]!, lang: fence[2]!, line: index + 1, lines: [] };
    else heading = HEADING.exec(text)?.[1] ?? heading;
  });
  if (open) throw new Error(`the code block opened at line ${open.line} is never closed`);
  return blocks;
}
