import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import { Node, ts, type SourceFile } from 'ts-morph';

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
  const seen = new Set<Node>([root]);
  const parts: string[] = [];
  const deps: [string, string][] = [];
  const files = new Set<string>();
  const queue: Node[] = [root];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const file = node.getSourceFile();
    files.add(file.getFilePath());
    const path = relative(projectRoot, file.getFilePath());
    const part = `${path}\0${normalised(node, file)}`;
    parts.push(part);
    if (node !== root) deps.push([`${path.split(sep).join('/')}#${declarationName(node)}`, shortHash(part)]);
    for (const declaration of referencedDeclarations(node)) {
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
function declarationName(node: Node): string {
  const own = (node as Node & { getName?: () => string | undefined }).getName?.() ?? '(anonymous)';
  const owner = Node.isMethodDeclaration(node) ? node.getParent() : undefined;
  return owner && Node.isClassDeclaration(owner) ? `${owner.getName() ?? '(anonymous class)'}.${own}` : own;
}

function normalised(node: Node, file: SourceFile): string {
  return printer.printNode(ts.EmitHint.Unspecified, node.compilerNode, file.compilerNode);
}

/** Project declarations referenced by identifiers inside `node`. */
function referencedDeclarations(node: Node): Node[] {
  const found: Node[] = [];
  node.forEachDescendant(child => {
    if (!Node.isIdentifier(child) || isPlainPropertyName(child)) return;
    let symbol = child.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
    for (const declaration of symbol?.getDeclarations() ?? []) {
      const target = followable(declaration);
      if (target && target !== node && !isInside(target, node)) found.push(target);
    }
  });
  return found;
}

/**
 * A property name deep in a chain and not called (`settings.region.code`): resolving it makes the checker type
 * the whole expression, and it can only lead to a field. Called members (`this.helper()`, `client.fetch()`) and
 * members of a plain name (`constants.RATE` through a namespace import) are followed.
 */
function isPlainPropertyName(identifier: Node): boolean {
  const parent = identifier.getParent();
  if (!parent || !Node.isPropertyAccessExpression(parent) || parent.getNameNode() !== identifier) return false;
  if (Node.isIdentifier(parent.getExpression())) return false;
  const grand = parent.getParent();
  return !(grand && (Node.isCallExpression(grand) || Node.isNewExpression(grand)) && grand.getExpression() === parent);
}

/** The node to hash for a declaration, if it is project code worth following. */
function followable(declaration: Node): Node | undefined {
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile() || file.isInNodeModules()) return undefined;
  if (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration) || Node.isClassDeclaration(declaration)) return declaration;
  if (Node.isVariableDeclaration(declaration)) {
    const statement = declaration.getVariableStatement();
    // Module-level constants and functions stored in variables; not locals, which are part of the body anyway.
    return statement && Node.isSourceFile(statement.getParent()) && declaration.hasInitializer() ? declaration : undefined;
  }
  return undefined;
}

function isInside(node: Node, ancestor: Node): boolean {
  return node.getPos() >= ancestor.getPos() && node.getEnd() <= ancestor.getEnd() && node.getSourceFile() === ancestor.getSourceFile();
}
