import { ts } from 'ts-morph';

/** What one file adds: the names it could make a property reach a project declaration by, and whether it renames keys. */
interface FileNames {
  names: string[];
  /** A project method with a computed name that is not a literal: it may be accessed by any name. */
  anyName: boolean;
}

/** Per parsed file: an edit re-parses only its own file, so the others are read once. */
const byFile = new WeakMap<ts.SourceFile, FileNames>();
const byProgram = new WeakMap<ts.Program, Set<string> | undefined>();

/**
 * The names by which a property access (`a.b`, `a.b()`) can reach a project declaration, or undefined when it can
 * by any name. A property's declarations carry the name it is accessed by, except through an alias (an import or
 * export under another name, a default import) or a method with a computed name. (A mapped type that renames keys,
 * `[K in keyof T as …]`, gives its properties no declarations; one that only filters keeps the names.)
 * So the names are: the names of the project's declarations the hash follows, every import and export name, every
 * name of a JavaScript file (CommonJS exports alias too), and `default`. The code hash need not resolve
 * a property named otherwise, which saves typing the expression before it: it reaches no project declaration.
 */
export function reachableNames(program: ts.Program): Set<string> | undefined {
  if (byProgram.has(program)) return byProgram.get(program);
  let names: Set<string> | undefined = new Set(['default']);
  for (const file of program.getSourceFiles()) {
    let scanned = byFile.get(file);
    if (!scanned) byFile.set(file, scanned = scan(file));
    if (scanned.anyName) {
      names = undefined;
      break;
    }
    for (const name of scanned.names) names.add(name);
  }
  byProgram.set(program, names);
  return names;
}

function scan(file: ts.SourceFile): FileNames {
  const project = !file.isDeclarationFile && !file.fileName.includes('/node_modules/');
  const javaScript = isJavaScript(file);
  const names = new Set<string>();
  let anyName = false;
  const visit = (node: ts.Node): void => {
    if (anyName) return;
    // CommonJS exports (`exports.x = y`) alias under names of their own: a JavaScript file adds every name it has.
    if (javaScript && (ts.isIdentifier(node) || ts.isStringLiteralLike(node))) names.add(node.text);
    else if (isImportOrExportName(node)) names.add((node as ts.Identifier | ts.StringLiteral).text);
    else if (project && isFollowableKind(node)) {
      const name = (node as ts.Node & { name?: ts.Node }).name;
      if (name && ts.isComputedPropertyName(name)) {
        if (ts.isStringLiteralLike(name.expression) || ts.isNumericLiteral(name.expression)) names.add(name.expression.text);
        else anyName = true;
      } else if (name && (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name))) names.add(name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { names: [...names], anyName };
}

/** The kinds of declaration the code hash follows (see `followable` in code-hash.ts). */
function isFollowableKind(node: ts.Node): boolean {
  return ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isClassDeclaration(node) || ts.isVariableDeclaration(node);
}

function isJavaScript(file: ts.SourceFile): boolean {
  return /\.[cm]?jsx?$/.test(file.fileName);
}

/** An identifier that names something an import or export makes visible (possibly under a new name). */
function isImportOrExportName(node: ts.Node): boolean {
  if (!ts.isIdentifier(node) && !ts.isStringLiteral(node)) return false;
  const parent = node.parent;
  return ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent) ||
    ts.isNamespaceExport(parent) || ts.isImportEqualsDeclaration(parent) || ts.isNamespaceExportDeclaration(parent);
}
