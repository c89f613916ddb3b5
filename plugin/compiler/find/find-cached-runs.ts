import { Node, type CallExpression, type SourceFile } from 'ts-morph';
import type { MarkedNode } from './find-marked.js';

/** A `cachedRun(fn, options)` call whose `fn` the compiler can key by its declared parameter types. */
export interface CachedRunCall {
  call: CallExpression;
  /** The declaration of fn's one call signature. */
  fn: MarkedNode;
}

/** The runtime's own declarations of `cachedRun` (the top-level function and the Spot method), as source or .d.ts. */
const RUNTIME_DECLARATION = /[\\/]runtime[\\/]spot[\\/](?:registry|spot)\.(?:d\.)?ts$/;

/**
 * The calls of the runtime's `cachedRun` that can be given generated key code. Anything else (an overloaded or
 * generic fn, a fn the types do not pin down, a `key` option) is left out: those calls keep the dynamic encoder.
 */
export function findCachedRuns(file: SourceFile): CachedRunCall[] {
  const found: CachedRunCall[] = [];
  // The walk wraps every node of the file in a ts-morph object (which the next edit of the file must forget
  // again): files that never name cachedRun, nearly all of them, are not walked.
  if (!file.getFullText().includes('cachedRun')) return found;
  file.forEachDescendant(node => {
    if (!Node.isCallExpression(node)) return;
    const fn = specialisable(node);
    if (fn) found.push({ call: node, fn });
  });
  return found;
}

function specialisable(call: CallExpression): MarkedNode | undefined {
  const args = call.getArguments();
  if (args.length < 1 || args.length > 2 || !isRuntimeCachedRun(call)) return undefined;
  const options = args[1];
  if (options && (!Node.isObjectLiteralExpression(options) || options.getProperties().some(p => !(Node.isPropertyAssignment(p) || Node.isShorthandPropertyAssignment(p)) || p.getName() === 'key'))) {
    return undefined;
  }
  const signatures = args[0]!.getType().getCallSignatures();
  if (signatures.length !== 1 || signatures[0]!.getTypeParameters().length > 0) return undefined;
  const declaration = signatures[0]!.getDeclaration();
  const isFunction = Node.isFunctionDeclaration(declaration) || Node.isArrowFunction(declaration) || Node.isFunctionExpression(declaration) ||
    Node.isMethodDeclaration(declaration);
  return isFunction ? declaration : undefined;
}

function isRuntimeCachedRun(call: CallExpression): boolean {
  const callee = call.getExpression();
  const name = Node.isIdentifier(callee) ? callee : Node.isPropertyAccessExpression(callee) ? callee.getNameNode() : undefined;
  if (name?.getText() !== 'cachedRun') return false;
  const symbol = name.getSymbol();
  const target = symbol?.getAliasedSymbol() ?? symbol;
  return target?.getDeclarations().some(d => RUNTIME_DECLARATION.test(d.getSourceFile().getFilePath())) ?? false;
}
