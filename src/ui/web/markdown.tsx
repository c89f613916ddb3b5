import type { ComponentChildren } from 'preact';
import { marked, type Token, type Tokens } from 'marked';

/** Only web links are followed (never javascript: and the like). */
const safeHref = (href: string): string | undefined => (/^https?:\/\//i.test(href) ? href : undefined);

function inline(tokens: Token[] | undefined): ComponentChildren {
  return (tokens ?? []).map((t, i) => {
    switch (t.type) {
      case 'strong': return <strong key={i}>{inline((t as Tokens.Strong).tokens)}</strong>;
      case 'em': return <em key={i}>{inline((t as Tokens.Em).tokens)}</em>;
      case 'del': return <del key={i}>{inline((t as Tokens.Del).tokens)}</del>;
      case 'codespan': return <code key={i}>{(t as Tokens.Codespan).text}</code>;
      case 'br': return <br key={i} />;
      case 'link': {
        const link = t as Tokens.Link;
        const url = safeHref(link.href);
        return url ? <a key={i} href={url} target="_blank" rel="noopener noreferrer">{inline(link.tokens)}</a> : <span key={i}>{inline(link.tokens)}</span>;
      }
      case 'image': return <span key={i} class="muted">[image: {(t as Tokens.Image).text}]</span>;
      case 'text': {
        const text = t as Tokens.Text;
        return text.tokens ? <span key={i}>{inline(text.tokens)}</span> : text.text;
      }
      default: return 'text' in t ? String(t.text) : t.raw;
    }
  });
}

function block(t: Token, i: number): ComponentChildren {
  switch (t.type) {
    case 'heading': {
      const h = t as Tokens.Heading;
      const Tag = `h${Math.min(h.depth + 1, 6)}` as 'h2';
      return <Tag key={i}>{inline(h.tokens)}</Tag>;
    }
    case 'paragraph': return <p key={i}>{inline((t as Tokens.Paragraph).tokens)}</p>;
    case 'code': return <pre key={i}><code>{(t as Tokens.Code).text}</code></pre>;
    case 'blockquote': return <blockquote key={i}>{(t as Tokens.Blockquote).tokens.map(block)}</blockquote>;
    case 'hr': return <hr key={i} />;
    case 'list': {
      const list = t as Tokens.List;
      const items = list.items.map((item, j) => <li key={j}>{item.tokens.map(block)}</li>);
      return list.ordered ? <ol key={i} start={Number(list.start) || 1}>{items}</ol> : <ul key={i}>{items}</ul>;
    }
    case 'table': {
      const table = t as Tokens.Table;
      return (
        <table key={i}>
          <thead><tr>{table.header.map((c, j) => <th key={j}>{inline(c.tokens)}</th>)}</tr></thead>
          <tbody>{table.rows.map((row, j) => <tr key={j}>{row.map((c, k) => <td key={k}>{inline(c.tokens)}</td>)}</tr>)}</tbody>
        </table>
      );
    }
    case 'text': {
      const text = t as Tokens.Text;
      return <span key={i}>{text.tokens ? inline(text.tokens) : text.text}</span>;
    }
    case 'space': return null;
    default: return <pre key={i}>{t.raw}</pre>; // raw HTML and the rest: shown as the text it is
  }
}

/** Markdown rendered from marked's tokens into elements: text is always text, raw HTML is shown, never run. */
export function Markdown({ text }: { text: string }) {
  return <div class="markdown">{marked.lexer(text).map(block)}</div>;
}
