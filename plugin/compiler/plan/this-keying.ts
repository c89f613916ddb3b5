import { Node, SyntaxKind, type ParameterDeclaration } from 'ts-morph';
import type { MarkedFunction } from '../find/find-marked.js';
import type { FoundFunction } from '../function-unit.js';

/**
 * How a marked function's `this` takes part in its key. The compiler decides it here, once; emit follows the
 * plan (`self`, `key`), and the runtime keys `this` itself only for functions no compiler saw.
 */
export type ThisKeying =
  /** Not keyed: not an instance method, or one that never reads `this`. */
  | { by: 'nothing' }
  /** A `this: T` parameter: `this` is keyed by T's plan. */
  | { by: 'type' }
  /** `key=EXPR`: the expression decides; in an instance method it may read `this`, typed as `thisParam` declares. */
  | { by: 'key'; thisParam: string | undefined }
  /** An instance method that reads `this` without saying how it is keyed: a build error. */
  | { by: 'undeclared' };

export function thisKeying(fn: MarkedFunction): ThisKeying {
  const instanceMethod = fn.kind === 'method' && !fn.isStatic;
  if (fn.options.key !== undefined) return { by: 'key', thisParam: instanceMethod ? `this: ${fn.binding}` : undefined };
  if (fn.node.getParameters().some(isThisParameter)) return { by: 'type' };
  return instanceMethod && usesThis(fn.node) ? { by: 'undeclared' } : { by: 'nothing' };
}

/** An instance method that reads `this` must say how `this` is keyed (a `this:` parameter or key=). */
export function reportUndeclaredThis(unit: FoundFunction): void {
  if (unit.self.by !== 'undeclared') return;
  const { binding } = unit.marked;
  unit.report('this', 'the method reads `this`, which is not part of its key',
    `Declare how: a \`this: ${binding}\` parameter (its class needs a [keyHook]()), \`this: Ignore<${binding}>\` if the result does not depend on the instance, or key=…`, 'error');
}

/** The `this: T` pseudo-parameter, which types `this` and is not an argument. */
export function isThisParameter(param: ParameterDeclaration): boolean {
  return param.getNameNode().getText() === 'this';
}

/** Whether a function body reads `this` or `super` (outside nested non-arrow functions and classes). */
function usesThis(node: Node): boolean {
  let found = false;
  node.forEachDescendant((child, traversal) => {
    if (Node.isFunctionDeclaration(child) || Node.isFunctionExpression(child) || Node.isClassLikeDeclarationBase(child) || Node.isMethodDeclaration(child)) {
      traversal.skip();
      return;
    }
    if (child.getKind() === SyntaxKind.ThisKeyword || child.getKind() === SyntaxKind.SuperKeyword) {
      found = true;
      traversal.stop();
    }
  });
  return found;
}
