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
import { ANNOTATION_HINT } from '../../markers.js';
import { OptionError, parseAnnotationOptions, type AnnotationOptions } from './parse-options.js';
import { readComment } from './read-comment.js';

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

const SYNTAX = 'An annotation is the JSDoc tag @mark at the start of a line of a /** */ comment, or a line comment // beautyspot: mark, directly above the function';

/** Finds the annotated functions of a file; problems become diagnostics, never silence. */
export function findMarked(file: SourceFile, path: string, diagnostics: Diagnostic[]): MarkedFunction[] {
  const found: MarkedFunction[] = [];
  const claimed = new Set<number>();
  const at = (node: Node | number, message: string, fix?: string, severity: Diagnostic['severity'] = 'error'): void => {
    const pos = typeof node === 'number' ? node : node.getStart();
    const { line, column } = file.getLineAndColumnAtPos(pos);
    diagnostics.push({ file: path, line, col: column, message, fix, severity });
  };

  /**
   * The annotation on a node's leading comments, if any. Without one, a near miss there (`@Mark`, `// @mark`…)
   * above a function (`name`) is a warning: the author most likely meant to mark it.
   */
  const annotationOf = (node: Node, name: string | undefined): { options: AnnotationOptions } | undefined => {
    let nearMiss: { pos: number; written: string; suggestion: string } | undefined;
    for (const comment of node.getLeadingCommentRanges()) {
      const reading = readComment(comment.getText());
      if (reading?.kind === 'near-miss') nearMiss ??= { ...reading, pos: comment.getPos() + reading.at };
      if (reading?.kind !== 'annotation') continue;
      claimed.add(comment.getPos());
      try {
        return { options: parseAnnotationOptions(reading.options) };
      } catch (error) {
        const pos = comment.getPos() + (error instanceof OptionError ? reading.optionsAt + error.at : reading.at);
        at(pos, messageOf(error), 'Options are name=value words after the tag, e.g. @mark version=2 ttl=7d');
        return undefined;
      }
    }
    if (nearMiss && name !== undefined) {
      at(nearMiss.pos, `${name}: "${nearMiss.written}" is not an annotation (did you mean ${nearMiss.suggestion}?)`, SYNTAX, 'warning');
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
      const name = statement.getName() ?? 'default';
      const annotation = annotationOf(statement, name);
      if (!annotation) continue;
      if (checkShape(statement, name)) {
        found.push({ kind: 'declaration', node: statement, qualifiedName: name, binding: statement.getName() ?? '', isStatic: false, options: annotation.options });
      }
    } else if (Node.isVariableStatement(statement)) {
      const declarations = statement.getDeclarations();
      const init = declarations[0]?.getInitializer();
      const isFunction = declarations.length === 1 && (Node.isArrowFunction(init) || Node.isFunctionExpression(init));
      const annotation = annotationOf(statement, isFunction ? declarations[0]!.getName() : undefined);
      if (!annotation) continue;
      if (!isFunction) {
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
      const className = cls.getName();
      const name = `${className ?? 'default'}.${method.getName()}`;
      const annotation = annotationOf(method, name);
      if (!annotation) continue;
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

/** Comment start → position of the annotation in it, for every comment holding one. */
function commentsWithAnnotations(file: SourceFile): Map<number, number> {
  const positions = new Map<number, number>();
  const read = new Set<number>();
  const text = file.getFullText();
  for (const match of text.matchAll(new RegExp(ANNOTATION_HINT.source, `${ANNOTATION_HINT.flags}g`))) {
    // Only real comments count: not strings, templates or regexes that happen to contain the text.
    const comment = commentAt(file, match.index);
    if (comment === undefined || read.has(comment.pos)) continue;
    read.add(comment.pos);
    const reading = readComment(text.slice(comment.pos, comment.end));
    if (reading?.kind === 'annotation') positions.set(comment.pos, comment.pos + reading.at);
  }
  return positions;
}

/** The comment containing `pos`, if `pos` is inside a comment. */
function commentAt(file: SourceFile, pos: number): { pos: number; end: number } | undefined {
  const inside = (c: { getPos(): number; getEnd(): number }) => c.getPos() <= pos && pos < c.getEnd();
  const range = (c: { getPos(): number; getEnd(): number }) => ({ pos: c.getPos(), end: c.getEnd() });
  let node: Node | undefined = file.getDescendantAtPos(pos) ?? file;
  // A comment on its own line inside a block is a node of its own (ts-morph's comment statements).
  if (Node.isCommentNode(node)) return range(node);
  while (node) {
    const comment = [...node.getLeadingCommentRanges(), ...node.getTrailingCommentRanges()].find(inside);
    if (comment) return range(comment);
    node = node.getParent();
  }
  const statement = file.getStatementsWithComments().find(s => Node.isCommentNode(s) && inside(s));
  return statement && range(statement);
}
