import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Node, Project } from 'ts-morph';
import { describe, expect, it } from 'vitest';
import { findMarked } from '../../plugin/compiler/find/find-marked.js';
import { codeHash } from '../../plugin/compiler/hash/code-hash.js';

// The code hash resolves a property only when its name may reach a project declaration (reachable-names.ts).
// The oracle here resolves every identifier, as the hash did before: both must find the same declarations.
const plugin = fileURLToPath(new URL('./fixtures/', import.meta.url));
const reliability = fileURLToPath(new URL('../reliability/fixtures/', import.meta.url));
const files = [
  ...readdirSync(plugin).filter(f => f.endsWith('.ts')).map(f => join(plugin, f)),
  join(plugin, 'code-hash', 'deps.ts'),
  join(plugin, 'code-hash', 'computed.ts'),
  join(reliability, 'typed-keys.ts'),
].filter(f => readFileSync(f, 'utf8').includes('@mark'));

describe('code hash: resolving only the properties that may reach the project', () => {
  it.each(files.map(f => [relative(plugin, f), f]))('finds what resolving every identifier finds in %s', (_, file) => {
    const project = new Project({ compilerOptions: { strict: true, allowJs: true } });
    const source = project.addSourceFileAtPath(file);
    const marked = findMarked(source, file, []);
    expect(marked.length).toBeGreaterThan(0);
    for (const fn of marked) {
      const { files: _files, ...fast } = codeHash(fn.node, plugin);
      expect(fast, fn.qualifiedName).toEqual(everyIdentifierHash(fn.node, plugin));
    }
  });
});

/** The oracle: every identifier resolved through the checker (except deep plain property names, as the hash). */
function everyIdentifierHash(root: Node, projectRoot: string): { hash: string; body: string; deps: [string, string][] } {
  const seen = new Set<Node>([root]);
  const parts: string[] = [];
  const deps: [string, string][] = [];
  const queue: Node[] = [root];
  const short = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);
  while (queue.length > 0) {
    const node = queue.shift()!;
    const path = relative(projectRoot, node.getSourceFile().getFilePath());
    const part = `${path}\0${node.print({ removeComments: true })}`;
    parts.push(part);
    if (node !== root) deps.push([`${path.split(sep).join('/')}#${nameOf(node)}`, short(part)]);
    node.forEachDescendant(child => {
      if (!Node.isIdentifier(child) || isDeepPlainProperty(child)) return;
      let symbol = child.getSymbol();
      if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
      for (const declaration of symbol?.getDeclarations() ?? []) {
        const target = followable(declaration);
        const inside = target && target.getSourceFile() === node.getSourceFile() && target.getPos() >= node.getPos() && target.getEnd() <= node.getEnd();
        if (target && !inside && !seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      }
    });
  }
  const [own, ...rest] = parts;
  return {
    hash: createHash('sha256').update([own, ...rest.sort()].join('\0\0')).digest('hex').slice(0, 32),
    body: short(own!),
    deps: deps.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  };
}

function nameOf(node: Node): string {
  const own = (node as Node & { getName?: () => string | undefined }).getName?.() ?? '(anonymous)';
  const owner = Node.isMethodDeclaration(node) ? node.getParent() : undefined;
  return owner && Node.isClassDeclaration(owner) ? `${owner.getName() ?? '(anonymous class)'}.${own}` : own;
}

function isDeepPlainProperty(identifier: Node): boolean {
  const parent = identifier.getParent();
  if (!parent || !Node.isPropertyAccessExpression(parent) || parent.getNameNode() !== identifier || Node.isIdentifier(parent.getExpression())) return false;
  const grand = parent.getParent();
  return !(grand && (Node.isCallExpression(grand) || Node.isNewExpression(grand)) && grand.getExpression() === parent);
}

function followable(declaration: Node): Node | undefined {
  const file = declaration.getSourceFile();
  if (file.isDeclarationFile() || file.isInNodeModules()) return undefined;
  if (Node.isFunctionDeclaration(declaration) || Node.isMethodDeclaration(declaration) || Node.isClassDeclaration(declaration)) return declaration;
  if (!Node.isVariableDeclaration(declaration)) return undefined;
  const statement = declaration.getVariableStatement();
  return statement && Node.isSourceFile(statement.getParent()) && declaration.hasInitializer() ? declaration : undefined;
}
