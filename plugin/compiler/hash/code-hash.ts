import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { ts, type Node } from 'ts-morph';
import { reachableNames } from './reachable-names.js';

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

export interface CodeHash {
  hash: string;
  /** Hash of the function's own normalised source. */
  body: string;
  /** Each project declaration the hash also covers, as [`<file>#<name>`, its own hash], sorted by name. */
  deps: [name: string, hash: string][];
  /** Files whose code the hash covers (for watch mode). */
  files: Set<string>;
}

/** The hash of a function whose entries do not depend on its code (`codeHash=false`). */
export const NO_CODE_HASH: CodeHash = { hash: '', body: '', deps: [], files: new Set() };

/**
 * A hash of the function's normalised source (reprinted without comments, so formatting and comments do
 * not count) and of every project declaration it reaches by name, transitively: functions it calls or passes
 * along, classes it constructs, module-level constants it reads. Declarations in node_modules and .d.ts files
 * are not followed (a dependency upgrade does not invalidate; bump `version` for that).
 */
export function codeHash(root: Node, projectRoot: string): CodeHash {
  // Walked on the compiler's nodes: ts-morph's wrappers cost more than the walk on every edit, and are forgotten by the next.
  const program = root.getProject().getProgram().compilerObject;
  const checker = program.getTypeChecker();
  const names = reachableNames(program);
  const start = root.compilerNode;
  const seen = new Set<ts.Node>([start]);
  const parts: string[] = [];
  const deps: [string, string][] = [];
  const files = new Set<string>();
  const queue: ts.Node[] = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const file = node.getSourceFile();
    files.add(file.fileName);
    const path = relative(projectRoot, file.fileName);
    const part = `${path}\0${printer.printNode(ts.EmitHint.Unspecified, node, file)}`;
    parts.push(part);
    if (node !== start) deps.push([`${path.split(sep).join('/')}#${declarationName(node, file)}`, shortHash(part)]);
    for (const declaration of referencedDeclarations(node, checker, names)) {
      if (seen.has(declaration)) continue;
      seen.add(declaration);
      queue.push(declaration);
    }
  }
  // The root first, then its dependencies in a fixed order, so discovery order does not matter.
  const [own, ...rest] = parts;
  return {
    hash: createHash('sha256').update([own, ...rest.sort()].join('\0\0')).digest('hex').slice(0, 32),
    body: shortHash(own!),
    deps: deps.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    files,
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** `helper`, `Client.fetch`, `RATE`: how a dependency is named when `beautyspot why` says it changed. */
function declarationName(node: ts.Node, file: ts.SourceFile): string {
  const own = nameOf(node, file) ?? '(anonymous)';
  const owner = ts.isMethodDeclaration(node) ? node.parent : undefined;
  return owner && ts.isClassDeclaration(owner) ? `${nameOf(owner, file) ?? '(anonymous class)'}.${own}` : own;
}

function nameOf(node: ts.Node, file: ts.SourceFile): string | undefined {
  return (node as ts.Node & { name?: ts.Node }).name?.getText(file);
}

/** Project declarations referenced by identifiers inside `node` (properties only when named as one may be: see reachableNames). */
function referencedDeclarations(node: ts.Node, checker: ts.TypeChecker, names: Set<string> | undefined): ts.Node[] {
  const found: ts.Node[] = [];
  const visit = (child: ts.Node): void => {
    if (ts.isIdentifier(child) && !isPlainPropertyName(child) && !(names && isPropertyName(child) && !names.has(child.text))) {
      let symbol = (child as ts.Node & { symbol?: ts.Symbol }).symbol ?? checker.getSymbolAtLocation(child);
      if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      for (const declaration of symbol?.declarations ?? []) {
        const target = followable(declaration);
        if (target && target !== node && !isInside(target, node)) found.push(target);
      }
    }
    ts.forEachChild(child, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/**
 * A property name deep in a chain and not called (`settings.region.code`): resolving it makes the checker type
 * the whole expression, and it can only lead to a field. Called members (`this.helper()`, `client.fetch()`) and
 * members of a plain name (`constants.RATE` through a namespace import) are followed.
 */
function isPlainPropertyName(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (!parent || !ts.isPropertyAccessExpression(parent) || parent.name !== identifier) return false;
  if (ts.isIdentifier(parent.expression)) return false;
  const grand = parent.parent;
  return !(grand && (ts.isCallExpression(grand) || ts.isNewExpression(grand)) && grand.expression === parent);
}

function isPropertyName(identifier: ts.Identifier): boolean {
  return ts.isPropertyAccessExpression(identifier.parent) && identifier.parent.name === identifier;
}

/** The node to hash for a declaration, if it is project code worth following. */
function followable(declaration: ts.Node): ts.Node | undefined {
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile || file.fileName.includes('/node_modules/')) return undefined;
  if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration) || ts.isClassDeclaration(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration)) {
    const statement = declaration.parent.parent;
    // Module-level constants and functions stored in variables; not locals, which are part of the body anyway.
    return ts.isVariableStatement(statement) && ts.isSourceFile(statement.parent) && declaration.initializer !== undefined ? declaration : undefined;
  }
  return undefined;
}

function isInside(node: ts.Node, ancestor: ts.Node): boolean {
  return node.pos >= ancestor.pos && node.end <= ancestor.end && node.getSourceFile() === ancestor.getSourceFile();
}
