import MagicString from 'magic-string';
import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import type { MarkedFunction } from '../find/find-marked.js';
import { MARK_OPTION_TABLE, type MarkOptionName } from '../../../runtime/spot/option-table.js';
import type { CompiledFunction } from '../function-unit.js';
import type { SpecialisedRun } from '../specialise-cached-runs.js';
import type { AnnotationOptions } from '../find/parse-options.js';
import { NS, REWRITTEN_MARK, RUNTIME_MODULE } from '../../markers.js';

/**
 * Rewrites a file so each marked name refers to a cached wrapper, leaving every original body where it was
 * (so stack traces and source maps point at the user's lines):
 * - `function f(){}` stays, and `f = markCompiled(…, f, …)` runs first thing in the module. Declarations
 *   stay hoisted and exports stay live bindings; an anonymous default export gets a name to rebind.
 * - `const f = (…) => …` becomes `const f = markCompiled(…, (…) => …, …)`.
 * - methods are replaced on the prototype (or the class) right after the class body.
 * - `cachedRun(fn, options)` becomes `cachedRun(fn, options, { params, writeArgs })`.
 */
export function rewrite(file: SourceFile, code: string, functions: CompiledFunction[], runs: SpecialisedRun[],
  runtimeModule = RUNTIME_MODULE): MagicString {
  const s = new MagicString(code);
  const head: string[] = [`${REWRITTEN_MARK}${JSON.stringify(runtimeModule)};`];
  for (const f of functions) {
    const i = f.index;
    head.push(f.key.preamble);
    const open = `${NS}.markCompiled(${JSON.stringify(f.marked.options.spot)}, `;
    const close = (method = ''): string => `, ${optionsLiteral(f, i)}, ${compiledLiteral(f)}${method})`;
    const { marked } = f;
    if (marked.kind === 'declaration') {
      let binding = marked.binding;
      if (!binding) {
        // `export default function () {}` has no binding to reassign: give it one.
        binding = `__beautyspot_default${i}`;
        s.appendLeft(marked.node.getFirstChildByKindOrThrow(SyntaxKind.FunctionKeyword).getEnd(), ` ${binding}`);
      }
      head.push(`${binding} = ${open}${binding}${close()};`);
    } else if (marked.kind === 'variable') {
      s.appendLeft(marked.node.getStart(), open);
      s.appendLeft(marked.node.getEnd(), close());
    } else {
      const owner = marked.isStatic ? marked.binding : `${marked.binding}.prototype`;
      const member = `${owner}[${JSON.stringify(methodName(marked))}]`;
      const method = `, { name: ${JSON.stringify(methodName(marked))}, static: ${marked.isStatic} }`;
      s.appendLeft(marked.node.getParentOrThrow().getEnd(), `\n${member} = ${open}${member}${close(method)};`);
    }
  }
  for (const run of runs) {
    head.push(run.key.preamble);
    s.appendLeft(run.at, `${run.bare ? ', undefined' : ''}, { params: ${JSON.stringify(run.key.params)}, writeArgs: ${run.key.writer} }`);
  }
  const at = insertionPoint(file);
  s.appendLeft(at, `${at > 0 ? '\n' : ''}${head.filter(Boolean).join('\n')}\n`);
  return s;
}

/** After directives and imports, so the generated statements run before any user code. */
function insertionPoint(file: SourceFile): number {
  let pos = 0;
  for (const statement of file.getStatements()) {
    const directive = Node.isExpressionStatement(statement) && Node.isStringLiteral(statement.getExpression());
    if (directive || Node.isImportDeclaration(statement)) pos = statement.getEnd();
    else break;
  }
  return pos;
}

function methodName(marked: MarkedFunction): string {
  return Node.isMethodDeclaration(marked.node) ? marked.node.getName() : marked.qualifiedName;
}

/**
 * The options the compiled call carries elsewhere: the spot is markCompiled's first argument, the key expression is
 * compiled into the key code, and a cost expression becomes a function of the parameters (last, below).
 */
const NOT_LITERAL = new Set<MarkOptionName>(['spot', 'key', 'cost']);

function optionsLiteral(f: CompiledFunction, i: number): string {
  const o: AnnotationOptions = f.marked.options;
  const fields: string[] = [];
  for (const { name } of MARK_OPTION_TABLE) {
    if (o[name] !== undefined && !NOT_LITERAL.has(name)) fields.push(`${name}: ${JSON.stringify(o[name])}`);
  }
  if (o.cost !== undefined) {
    fields.push(/^\d+(\.\d+)?$/.test(o.cost) ? `cost: ${o.cost}` : `cost: function __beautyspot_cost${i}(${f.paramsText}) { return (${o.cost}); }`);
  }
  return `{ ${fields.join(', ')} }`;
}

function compiledLiteral(f: CompiledFunction): string {
  const code = { body: f.code.body, deps: f.code.deps };
  return `{ id: ${JSON.stringify(f.id)}, codeHash: ${JSON.stringify(f.code.hash)}, code: ${JSON.stringify(code)}, params: ${JSON.stringify(f.key.params)}, ` +
    `async: ${f.async}, fnName: ${JSON.stringify(f.marked.qualifiedName.split('.').pop())}, writeArgs: ${f.key.writer} }`;
}
