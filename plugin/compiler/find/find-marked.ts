import {
  Node,
  type ArrowFunction,
  type ClassDeclaration,
  type FunctionDeclaration,
  type FunctionExpression,
  type MethodDeclaration,
  type SourceFile,
} from 'ts-morph';
import { messageOf } from '../../../runtime/errors.js';
import type { Diagnostic } from '../diagnostics.js';
import { parseAnnotationOptions, type AnnotationOptions } from './parse-options.js';

export type MarkedNode = FunctionDeclaration | ArrowFunction | FunctionExpression | MethodDeclaration;

export interface MarkedFunction {
  /** How the rewrite binds the cached wrapper. */
  kind: 'declaration' | 'variable' | 'method';
  node: MarkedNode;
  /** `fetchPage`, `default`, `Client.fetch`: with the module path, the function's stable id. */
  qualifiedName: string;
  /** The identifier the rewrite rebinds (declarations) or the class (methods). */
  binding: string;
  isStatic: boolean;
  options: AnnotationOptions;
}

/** `/** … @mark opts` (JSDoc tag) or `// beautyspot: mark opts` (pragma). Group 1 or 2 holds the options. */
const ANNOTATION = /(?:^|[\s*])@mark(?![\w-])([^\n]*?)(?:\*\/|$)|^\s*\/\/\s*beautyspot:\s*mark(?![\w-])(.*)$/m;
/**
 * Any annotation-looking text, to report the ones attached to nothing we support. Like ANNOTATION, a tag
 * starts a word: prose such as "`@mark spot=api`" in a doc comment is not an annotation.
 */
const ANY_ANNOTATION = /(?<=^|[\s*])@mark(?![\w-])|\/\/\s*beautyspot:\s*mark(?![\w-])/gm;

/** Finds the annotated functions of a file; problems become diagnostics, never silence. */
export function findMarked(file: SourceFile, path: string, diagnostics: Diagnostic[]): MarkedFunction[] {
  const found: MarkedFunction[] = [];
  const claimed = new Set<number>();
  const at = (node: Node | number, message: string, fix?: string): void => {
    const pos = typeof node === 'number' ? node : node.getStart();
    const { line, column } = file.getLineAndColumnAtPos(pos);
    diagnostics.push({ file: path, line, col: column, message, fix, severity: 'error' });
  };

  /** The annotation on a node's leading comments, if any. */
  const annotationOf = (node: Node): { options: AnnotationOptions; pos: number } | undefined => {
    for (const comment of node.getLeadingCommentRanges()) {
      const match = ANNOTATION.exec(comment.getText());
      if (!match) continue;
      // Point at the tag itself (`@mark`), not at the white space the pattern matched before it.
      const pos = comment.getPos() + (match.index ?? 0) + (match[1] !== undefined ? match[0].indexOf('@mark') : 0);
      claimed.add(comment.getPos());
      try {
        return { options: parseAnnotationOptions((match[1] ?? match[2] ?? '').trim()), pos };
      } catch (error) {
        at(pos, messageOf(error), 'Options are name=value words after the tag, e.g. @mark version=2 ttl=7d');
        return undefined;
      }
    }
    return undefined;
  };

  const checkShape = (node: MarkedNode, name: string): boolean => {
    if (!Node.isArrowFunction(node) && node.isGenerator()) {
      at(node, `${name} is a generator, which cannot be cached (its values are produced lazily)`, 'Collect the values into an array in a normal function and mark that');
      return false;
    }
    if (!node.getBody()) {
      at(node, `${name} is an overload signature without a body`, 'Put the annotation on the implementation');
      return false;
    }
    return true;
  };

  for (const statement of file.getStatements()) {
    if (Node.isFunctionDeclaration(statement)) {
      const annotation = annotationOf(statement);
      if (!annotation) continue;
      const name = statement.getName() ?? 'default';
      if (checkShape(statement, name)) {
        found.push({ kind: 'declaration', node: statement, qualifiedName: name, binding: statement.getName() ?? '', isStatic: false, options: annotation.options });
      }
    } else if (Node.isVariableStatement(statement)) {
      const annotation = annotationOf(statement);
      if (!annotation) continue;
      const declarations = statement.getDeclarations();
      const init = declarations[0]?.getInitializer();
      if (declarations.length !== 1 || !(Node.isArrowFunction(init) || Node.isFunctionExpression(init))) {
        at(statement, 'the annotation is on a variable that is not a single function', 'Mark `const f = (…) => …` or `const f = function (…) {…}`, one per statement');
        continue;
      }
      const name = declarations[0]!.getName();
      if (checkShape(init, name)) {
        found.push({ kind: 'variable', node: init, qualifiedName: name, binding: name, isStatic: false, options: annotation.options });
      }
    } else if (Node.isClassDeclaration(statement)) {
      findMethods(statement);
    }
  }

  function findMethods(cls: ClassDeclaration): void {
    for (const method of cls.getMethods()) {
      const annotation = annotationOf(method);
      if (!annotation) continue;
      const className = cls.getName();
      const name = `${className ?? 'default'}.${method.getName()}`;
      if (!className) {
        at(method, `${name}: methods of an anonymous class cannot be marked`, 'Give the class a name');
      } else if (Node.isPrivateIdentifier(method.getNameNode())) {
        at(method, `${name}: #private methods cannot be marked (the wrapper cannot reach them)`, 'Use a TypeScript `private` method instead');
      } else if (Node.isComputedPropertyName(method.getNameNode())) {
        at(method, `${name}: methods with computed names cannot be marked`, 'Give the method a plain name');
      } else if (checkShape(method, name)) {
        found.push({ kind: 'method', node: method, qualifiedName: name, binding: className, isStatic: method.isStatic(), options: annotation.options });
      }
    }
  }

  // Annotations attached to nothing supported (nested functions, object methods, classes…) are errors too.
  for (const [comment, tag] of commentsWithAnnotations(file)) {
    if (claimed.has(comment)) continue;
    at(tag, 'this annotation is not on a function beautyspot can mark',
      'Mark a module-level function declaration, a `const f = (…) => …` or a class method');
  }
  return found;
}

/** Comment start → position of the first annotation tag in it. */
function commentsWithAnnotations(file: SourceFile): Map<number, number> {
  const positions = new Map<number, number>();
  const text = file.getFullText();
  for (const match of text.matchAll(ANY_ANNOTATION)) {
    const pos = match.index ?? 0;
    const node = file.getDescendantAtPos(pos);
    // Only real comments count: not strings, templates or regexes that happen to contain the text.
    const comment = commentAt(file, pos);
    if (comment !== undefined && (!node || !Node.isStringLiteral(node)) && !positions.has(comment)) positions.set(comment, pos);
  }
  return positions;
}

/** The start of the comment containing `pos`, if `pos` is inside a comment. */
function commentAt(file: SourceFile, pos: number): number | undefined {
  let node: Node | undefined = file.getDescendantAtPos(pos) ?? file;
  // A comment on its own line inside a block is a node of its own (ts-morph's comment statements).
  if (Node.isCommentNode(node)) return node.getPos();
  while (node) {
    for (const comment of [...node.getLeadingCommentRanges(), ...node.getTrailingCommentRanges()]) {
      if (comment.getPos() <= pos && pos < comment.getEnd()) return comment.getPos();
    }
    node = node.getParent();
  }
  for (const statement of file.getStatementsWithComments()) {
    if (Node.isCommentNode(statement) && statement.getPos() <= pos && pos < statement.getEnd()) return statement.getPos();
  }
  return undefined;
}
