import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { SourceMap } from 'magic-string';
import { FileSystemRefreshResult, Node, Project, ts, type SourceFile } from 'ts-morph';
import { codeHash, NO_CODE_HASH } from './hash/code-hash.js';
import { BeautyspotBuildError, formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { emitKeyCode } from './emit/emit-key.js';
import { findMarked, type MarkedFunction } from './find/find-marked.js';
import type { FunctionPlan } from './plan/key-plan.js';
import { planFunction, usesThis } from './plan/plan-function.js';
import { TypePlanner, type PlanTypeOptions } from './plan/plan-type.js';
import { ANNOTATION_HINT, NS, REWRITTEN_MARK, RUNTIME_MODULE } from '../markers.js';
import { rewrite, type CompiledFunction } from './rewrite/rewrite.js';

export interface BeautyspotOptions {
  /** tsconfig.json used for type information. Default: the nearest one above the project root. */
  tsconfig?: string;
  /** Root that function ids are relative to. Default: the nearest directory with a package.json above each file. */
  root?: string;
  /** Warn when a parameter falls back to the dynamic encoder (any, unknown, generics). Default false. */
  strict?: boolean;
  /** The module generated code imports the runtime from. Default "beautyspot/runtime". */
  runtimeModule?: string;
}

export interface TransformOutput {
  code: string;
  map: SourceMap;
  /** Files the generated keys and code hashes depend on (for watch mode). */
  dependencies: string[];
  warnings: string[];
  /** The plans, by function id (for tests and debugging). */
  plans: Record<string, FunctionPlan>;
}

/**
 * Per-build state: one long-lived ts-morph project, created when the first annotated file arrives and
 * updated file by file. Unannotated files never reach it.
 */
export class BeautyspotContext {
  private static created = 0;
  private project: Project | undefined;
  private tsconfig: string | undefined;
  /** Every file a transform's output has depended on: what refresh() re-reads. */
  private readonly dependencies = new Set<string>();
  /** How often each file's text changed in the project; a memoised output is valid while its files' versions hold. */
  private readonly versions = new Map<string, number>();
  private readonly memo = new Map<string, { code: string; root: string; output: TransformOutput | undefined; versions: Map<string, number> }>();

  /** How many ts-morph projects contexts have created in this process (watch tests check rebuilds reuse one). */
  static get projectsCreated(): number {
    return BeautyspotContext.created;
  }

  constructor(readonly options: BeautyspotOptions = {}) {}

  /** Rewrites the marked functions of one file; undefined when there are none. Throws BeautyspotBuildError. */
  transform(code: string, id: string): TransformOutput | undefined {
    // Already rewritten (a second pass, or a file that went through another beautyspot plugin): leave it.
    if (!ANNOTATION_HINT.test(code) || code.includes(REWRITTEN_MARK)) return undefined;
    const fileName = id.split('?')[0]!;
    // Rebuilds (vite build --watch, esbuild) transform every module again: unchanged ones are answered from memory.
    // Function ids are relative to the root, which a package.json added or removed above the file moves.
    const root = this.rootFor(fileName);
    const memo = this.memo.get(fileName);
    if (memo && memo.code === code && memo.root === root && [...memo.versions].every(([f, v]) => this.versionOf(f) === v)) return memo.output;
    const output = this.compile(code, fileName);
    const files = [fileName, ...(output?.dependencies ?? [])];
    this.memo.set(fileName, { code, root, output, versions: new Map(files.map(f => [f, this.versionOf(f)])) });
    return output;
  }

  private compile(code: string, fileName: string): TransformOutput | undefined {
    const project = this.getProject(fileName);
    if (project.getSourceFile(fileName)?.getFullText() !== code) this.changed(fileName);
    const file = project.createSourceFile(fileName, code, { overwrite: true });
    const root = this.rootFor(fileName);
    const path = relative(process.cwd(), fileName) || fileName;
    const diagnostics: Diagnostic[] = [];
    const marked = findMarked(file, path, diagnostics);
    if (marked.length === 0 && diagnostics.length === 0) return undefined;

    const dependencies = new Set<string>();
    const strict = this.options.strict ?? false;
    const ids = marked.map(fn =>
      // name= is the whole stable id (it survives moving the file); otherwise file + qualified name.
      fn.options.name ?? `${relative(root, fileName).split(sep).join('/')}#${fn.qualifiedName}`);
    const reports = marked.map(fn => reporter(file, path, fn, diagnostics));
    marked.forEach((fn, index) => checkThis(fn, reports[index]!));
    const hashes = marked.map(fn => {
      const hash = fn.options.codeHash === false ? NO_CODE_HASH : codeHash(fn.node, root);
      hash.files.forEach(f => dependencies.add(f));
      return hash;
    });
    const paramsText = marked.map(fn => fn.node.getParameters().map(p => p.getText()).join(', '));
    // Parameters first; key expressions last, because checking them appends to the in-memory file.
    const plans = marked.map((fn, index) => fn.options.key === undefined
      ? planFunction(fn, { report: reports[index]!, strict, files: dependencies })
      : undefined);
    marked.forEach((fn, index) => {
      plans[index] ??= planKeyExpression(file, fn, index, paramsText[index]!, { report: reports[index]!, strict, files: dependencies });
    });
    const compiled: CompiledFunction[] = marked.map((fn, index) => ({
      marked: fn,
      id: ids[index]!,
      code: hashes[index]!,
      key: emitKeyCode(plans[index]!, { ns: NS, prefix: `${NS}_${index}_` }),
      async: isAsync(fn),
      paramsText: paramsText[index]!,
    }));
    dependencies.forEach(f => this.dependencies.add(f));
    // Reported in file order (type problems are found after the annotations' own).
    diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    const errors = diagnostics.filter(d => d.severity === 'error');
    if (errors.length > 0) throw new BeautyspotBuildError(errors);

    const s = rewrite(file, code, compiled, this.options.runtimeModule ?? RUNTIME_MODULE);
    return {
      code: s.toString(),
      map: s.generateMap({ hires: true, source: fileName, includeContent: true }),
      dependencies: [...dependencies, ...(this.tsconfig ? [this.tsconfig] : [])].filter(f => f !== fileName),
      warnings: diagnostics.filter(d => d.severity === 'warning').map(formatDiagnostic),
      plans: Object.fromEntries(ids.map((id, index) => [id, plans[index]!])),
    };
  }

  /**
   * A file changed on disk (watch mode): the next transforms see its new text and types. Annotated files were
   * given to transform() as text and are not "saved", but they are refreshed too: another annotated file may
   * depend on their types and be transformed first.
   */
  invalidate(fileName: string): void {
    const result = this.project?.getSourceFile(fileName)?.refreshFromFileSystemSync();
    if (result !== undefined && result !== FileSystemRefreshResult.NoChange) this.changed(fileName);
  }

  private changed(fileName: string): void {
    this.versions.set(fileName, this.versionOf(fileName) + 1);
  }

  private versionOf(fileName: string): number {
    return this.versions.get(fileName) ?? 0;
  }

  /**
   * A build or rebuild starts: re-reads the files transforms have depended on, so the ones that changed on disk
   * are up to date. For bundlers that reload files without saying which changed (esbuild has no watchChange).
   */
  refresh(): void {
    for (const fileName of this.dependencies) this.invalidate(fileName);
  }

  /** The files of the type program (sources, their imports, lib and @types declarations): what may change an answer. */
  sourceFiles(): string[] {
    // The program's files: the project's own list holds only the files given to transform().
    return this.project?.getProgram().compilerObject.getSourceFiles().map(f => f.fileName) ?? [];
  }

  private getProject(fileName: string): Project {
    if (this.project) return this.project;
    BeautyspotContext.created++;
    const tsconfig = this.options.tsconfig ?? findUp(dirname(fileName), 'tsconfig.json');
    this.tsconfig = tsconfig && resolve(tsconfig);
    this.project = tsconfig
      ? new Project({ tsConfigFilePath: tsconfig, skipAddingFilesFromTsConfig: true, compilerOptions: { allowJs: true } })
      : new Project({ compilerOptions: { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, allowJs: true } });
    return this.project;
  }

  private rootFor(fileName: string): string {
    if (this.options.root) return resolve(this.options.root);
    const pkg = findUp(dirname(fileName), 'package.json');
    return pkg ? dirname(pkg) : process.cwd();
  }
}

function reporter(file: SourceFile, path: string, fn: MarkedFunction, diagnostics: Diagnostic[]): PlanTypeOptions['report'] {
  return (paramPath, message, fix, severity) => {
    // Point at the parameter the problem is in, else at the function.
    const root = paramPath.split(/[.[]/)[0];
    const param = fn.node.getParameters().find(p => p.getNameNode().getText() === root);
    const { line, column } = file.getLineAndColumnAtPos((param ?? fn.node).getStart());
    diagnostics.push({ file: path, line, col: column, fn: fn.qualifiedName, path: paramPath, message: `${fn.qualifiedName}: ${message}`, fix, severity });
  };
}

/** `key=EXPR`: type-checks the expression over the parameters and plans its type. */
function planKeyExpression(file: SourceFile, fn: MarkedFunction, index: number, params: string, options: PlanTypeOptions): FunctionPlan {
  const { report } = options;
  const expression = fn.options.key!;
  const self = fn.kind === 'method' && !fn.isStatic ? `this: ${fn.binding}${params ? ', ' : ''}` : '';
  const [check] = file.addStatements(`function __beautyspot_key${index}(${self}${params}) { return (${expression}); }`);
  const key = { params, expression };
  if (!check || !Node.isFunctionDeclaration(check)) return { params: [], named: {}, key };
  for (const d of file.getPreEmitDiagnostics()) {
    const start = d.getStart() ?? -1;
    if (start < check.getStart() || start > check.getEnd()) continue;
    report('key', `key=${expression} does not type-check: ${ts.flattenDiagnosticMessageText(d.compilerObject.messageText, ' ')}`,
      'The key expression may use the parameters (and `this` in methods)', 'error');
  }
  const planner = new TypePlanner(check, options);
  return { params: [{ name: 'key', plan: planner.plan(check.getReturnType(), 'key') }], named: planner.named, key };
}

/** An instance method that reads `this` must say how `this` is keyed (a `this:` parameter or key=). */
function checkThis(fn: MarkedFunction, report: PlanTypeOptions['report']): void {
  if (fn.kind !== 'method' || fn.isStatic || fn.options.key !== undefined) return;
  if (fn.node.getParameters().some(p => p.getNameNode().getText() === 'this') || !usesThis(fn.node)) return;
  report('this', 'the method reads `this`, which is not part of its key',
    `Declare how: a \`this: ${fn.binding}\` parameter (its class needs a [keyHook]()), \`this: Ignore<${fn.binding}>\` if the result does not depend on the instance, or key=…`, 'error');
}

/**
 * true: the function returns a promise by its declaration; false: it is declared to return something that is
 * not thenable, so a hit is never a promise (whatever a row's flags say); undefined: the type cannot tell
 * (`any`, `unknown`, a type parameter, a union with a promise), and the stored entry's flag decides.
 */
function isAsync(fn: MarkedFunction): boolean | undefined {
  if (fn.node.isAsync()) return true;
  const type = fn.node.getReturnType();
  if (type.isAny() || type.isUnknown() || type.isTypeParameter()) return undefined;
  const members = type.isUnion() ? type.getUnionTypes() : [type];
  const thenables = members.filter(t => t.getSymbol()?.getName() === 'Promise' || t.getProperty('then') !== undefined).length;
  if (thenables === 0) return false;
  return thenables === members.length ? true : undefined;
}

/** The nearest `name` in `dir` or above it. */
export function findUp(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, name))) return join(d, name);
    if (dirname(d) === d) return undefined;
  }
}
