import { useState } from 'preact/hooks';
import { rawUrl } from './api.js';
import { count, formatBytes } from './format.js';
import { Markdown } from './markdown.js';
import type { ContentKind, PreviewAnswer, ValueNode } from '../protocol.js';

export const KIND_LABEL: Record<ContentKind, string> = {
  tree: 'JSON tree', text: 'text', markdown: 'Markdown', png: 'PNG image', jpeg: 'JPEG image', svg: 'SVG image', html: 'HTML page', hex: 'hex',
};

const cutNote = (cut: number | undefined, what: string) => (cut ? <li class="muted">… {count(cut)} more {what}</li> : null);

function Scalar({ node }: { node: ValueNode }) {
  switch (node.t) {
    case 'null': case 'undefined': return <span class="v-null">{node.t}</span>;
    case 'boolean': return <span class="v-bool">{String(node.v)}</span>;
    case 'number': return <span class="v-num">{node.v}</span>;
    case 'bigint': return <span class="v-num">{node.v}n</span>;
    case 'date': return <span class="v-date">Date {node.v}</span>;
    case 'regexp': return <span class="v-str">{node.v}</span>;
    case 'string': return <span class="v-str">"{node.v}"{node.cut ? <span class="muted"> … {count(node.cut)} more characters</span> : null}</span>;
    case 'binary': return <span class="v-bin">{node.kind}({count(node.bytes)}) <span class="muted">{node.hex}{node.bytes > 64 ? ' …' : ''}</span></span>;
    case 'error': return <span class="v-err">{node.name}: {node.message}</span>;
    case 'more': return <span class="muted">… (too large to show all)</span>;
    default: return null;
  }
}

function label(node: ValueNode): string {
  switch (node.t) {
    case 'array': return `Array(${node.items.length + (node.cut ?? 0)})`;
    case 'set': return `Set(${node.items.length + (node.cut ?? 0)})`;
    case 'map': return `Map(${node.pairs.length + (node.cut ?? 0)})`;
    case 'object': return `${node.cls ?? ''}{${node.fields.length + (node.cut ?? 0)}}`;
    default: return '';
  }
}

/** A value as a tree of collapsible containers; every text is rendered as text. */
export function Tree({ node, name, depth = 0 }: { node: ValueNode; name?: string; depth?: number }) {
  const key = name !== undefined && <span class="v-key">{name}: </span>;
  if (node.t !== 'array' && node.t !== 'set' && node.t !== 'map' && node.t !== 'object') return <div class="t-leaf">{key}<Scalar node={node} /></div>;
  const children = node.t === 'object' ? node.fields.map(([k, v], i) => <li key={i}><Tree node={v} name={k} depth={depth + 1} /></li>)
    : node.t === 'map' ? node.pairs.map(([k, v], i) => <li key={i}><div class="t-pair"><Tree node={k} name="key" depth={depth + 1} /><Tree node={v} name="value" depth={depth + 1} /></div></li>)
    : node.items.map((v, i) => <li key={i}><Tree node={v} name={node.t === 'array' ? String(i) : undefined} depth={depth + 1} /></li>);
  return (
    <details class="t-node" open={depth < 2}>
      <summary>{key}<span class="v-type">{label(node)}</span></summary>
      <ul>{children}{cutNote(node.cut, 'items')}</ul>
    </details>
  );
}

/** The preview of a value as the server decoded it, in the way chosen (or sniffed). */
export function ValueView({ spot, entryKey, preview, onKind }: { spot: string; entryKey: string; preview: PreviewAnswer; onKind: (k: ContentKind) => void }) {
  const [wrap, setWrap] = useState(true);
  const body = (() => {
    switch (preview.kind) {
      case 'tree': return <div class="tree">{preview.tree && <Tree node={preview.tree} />}</div>;
      case 'markdown': return <Markdown text={preview.text ?? ''} />;
      case 'text': return <pre class={wrap ? 'text wrap' : 'text'}>{preview.text}</pre>;
      case 'png': case 'jpeg': case 'svg': return <div class="image"><img src={rawUrl(spot, entryKey, preview.kind)} alt="the stored image" /></div>;
      case 'html': return <iframe class="html" sandbox="" src={rawUrl(spot, entryKey, 'html')} title="the stored HTML page (sandboxed: no scripts)" />;
      case 'hex': return <pre class="hex">{preview.hex}</pre>;
    }
  })();
  return (
    <div class="value">
      <div class="value-bar">
        <div class="kinds" role="tablist">
          {preview.kinds.map(k => (
            <button key={k} role="tab" aria-selected={k === preview.kind} class={k === preview.kind ? 'kind active' : 'kind'} onClick={() => onKind(k)}>
              {KIND_LABEL[k]}
            </button>
          ))}
        </div>
        <span class="muted">
          detected: {KIND_LABEL[preview.sniffed]} · {formatBytes(preview.bytes)} encoded{preview.blob ? ' · in a blob' : ''}{preview.async ? ' · returned by a promise' : ''}
          {preview.kind === 'text' && <button class="link" onClick={() => setWrap(!wrap)}>{wrap ? 'no wrap' : 'wrap'}</button>}
        </span>
      </div>
      {preview.note && <p class="note" role="note">{preview.note}</p>}
      {body}
      {preview.cut ? <p class="muted">… {count(preview.cut)} more {preview.kind === 'hex' ? 'bytes' : 'characters'} not shown.</p> : null}
    </div>
  );
}
