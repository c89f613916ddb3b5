import { dirname, relative, resolve, sep } from 'node:path';
import MagicString, { type SourceMap } from 'magic-string';
import { FileSystemRefreshResult, Project, ts } from 'ts-morph';
import { BeautyspotBuildError, formatDiagnostic, type Diagnostic } from './diagnostics.js';
import { emitKeyCode } from './emit/emit-key.js';
import { findMarked } from './find/find-marked.js';
import { foundFunction, type CompiledFunction, type FoundFunction, type HashedFunction, type PlannedFunction } from './function-unit.js';
import { codeHash, NO_CODE_HASH } from './hash/code-hash.js';
import type { FunctionPlan } from './plan/key-plan.js';
import { isAsync } from './plan/plan-async.js';
import { planFunction } from './plan/plan-function.js';
import { planKeyExpression } from './plan/plan-key-expression.js';
import type { PlanTypeOptions } from './plan/plan-type.js';
import { reportUndeclaredThis } from './plan/this-keying.js';
import { findUp, packageDir } from '../../runtime/project-root.js';
import { COMPILE_HINT, NS, REWRITTEN_MARK, RUNTIME_MODULE } from '../markers.js';
import { rewrite } from './rewrite/rewrite.js';
import { specialiseCachedRuns } from './specialise-cached-runs.js';

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
 * updated file by file. Files without annotations or `cachedRun` calls never reach it.
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

  /**
   * Rewrites the marked functions of one file, and gives its `cachedRun` calls key code; undefined when there is
   * nothing to do. Throws BeautyspotBuildError.
   */
  transform(code: string, id: string): TransformOutput | undefined {
    // Already rewritten (a second pass, or a file that went through another beautyspot plugin): leave it.
    if (!COMPILE_HINT.test(code) || code.includes(REWRITTEN_MARK)) return undefined;
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
    // A dev server's watcher has usually read the edited file into the project already (invalidate): no second parse.
    let file = project.getSourceFile(fileName);
    if (file?.getFullText() !== code) {
      this.changed(fileName);
      file = project.createSourceFile(fileName, code, { overwrite: true });
    }
    const root = this.rootFor(fileName);
    const path = relative(process.cwd(), fileName) || fileName;
    const diagnostics: Diagnostic[] = [];
    const marked = findMarked(file, path, diagnostics);
    const dependencies = new Set<string>();
    const runs = specialiseCachedRuns(file, dependencies);
    if (marked.length === 0 && runs.length === 0 && diagnostics.length === 0) return undefined;

    const options = (unit: FoundFunction): PlanTypeOptions => ({ report: unit.report, strict: this.options.strict ?? false, files: dependencies });
    const module = relative(root, fileName).split(sep).join('/');
    const found = marked.map((fn, index) => foundFunction(fn, index, { file, path, module, diagnostics }));
    found.forEach(reportUndeclaredThis);
    const hashed: HashedFunction[] = found.map(unit => {
      const hash = unit.marked.options.codeHash === false ? NO_CODE_HASH : codeHash(unit.marked.node, root);
      hash.files.forEach(f => dependencies.add(f));
      return { ...unit, code: hash };
    });
    // Parameters first; key expressions last, because checking them appends to the in-memory file.
    const paramPlans = hashed.map(unit => (unit.self.by === 'key' ? undefined : planFunction(unit.marked, options(unit))));
    const planned: PlannedFunction[] = hashed.map((unit, index) => ({ ...unit, plan: paramPlans[index] ?? planKeyExpression(file, unit, options(unit)) }));
    const compiled: CompiledFunction[] = planned.map(unit => ({
      ...unit,
      key: emitKeyCode(unit.plan, { ns: NS, prefix: `${NS}_${unit.index}_` }),
      async: isAsync(unit.marked),
    }));
    dependencies.forEach(f => this.dependencies.add(f));
    // Reported in file order (type problems are found after the annotations' own).
    diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    const errors = diagnostics.filter(d => d.severity === 'error');
    if (errors.length > 0) throw new BeautyspotBuildError(errors);

    // Only near misses (warnings): the file stays as it is, and the warnings are reported.
    const s = compiled.length + runs.length > 0 ? rewrite(file, code, compiled, runs, this.options.runtimeModule ?? RUNTIME_MODULE) : new MagicString(code);
    return {
      code: s.toString(),
      map: s.generateMap({ hires: true, source: fileName, includeContent: true }),
      dependencies: [...dependencies, ...(this.tsconfig ? [this.tsconfig] : [])].filter(f => f !== fileName),
      warnings: diagnostics.filter(d => d.severity === 'warning').map(formatDiagnostic),
      plans: Object.fromEntries(compiled.map(unit => [unit.id, unit.plan])),
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
    return packageDir(dirname(fileName)) ?? process.cwd();
  }
}

