import type { SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostics.js';
import type { EmittedKey } from './emit/emit-key.js';
import type { MarkedFunction } from './find/find-marked.js';
import type { CodeHash } from './hash/code-hash.js';
import type { FunctionPlan } from './plan/key-plan.js';
import type { PlanTypeOptions } from './plan/plan-type.js';
import { thisKeying, type ThisKeying } from './plan/this-keying.js';

/**
 * One marked function as the compile loop carries it, filled stage by stage:
 * found (FoundFunction) → hashed → planned → emitted (CompiledFunction, what rewrite reads).
 */
export interface FoundFunction {
  marked: MarkedFunction;
  /** Its place among the file's marked functions: tells apart the names generated for it. */
  index: number;
  /** The stable id its entries are stored under. */
  id: string;
  /** Parameter list text (with types, as written), for key= and cost= expressions. */
  paramsText: string;
  self: ThisKeying;
  /** Records a problem, pointing at the parameter it is in (else at the function). */
  report: PlanTypeOptions['report'];
}

export interface HashedFunction extends FoundFunction {
  code: CodeHash;
}

export interface PlannedFunction extends HashedFunction {
  plan: FunctionPlan;
}

export interface CompiledFunction extends PlannedFunction {
  key: EmittedKey;
  /** See `isAsync` in plan-async.ts: undefined when the declared return type cannot tell. */
  async: boolean | undefined;
}

/** The file being compiled: its path for messages, its module path for ids, where its problems go. */
export interface UnitFile {
  file: SourceFile;
  path: string;
  /** Relative to the project root, `/`-separated. */
  module: string;
  diagnostics: Diagnostic[];
}

export function foundFunction(marked: MarkedFunction, index: number, where: UnitFile): FoundFunction {
  const { file, path, module, diagnostics } = where;
  return {
    marked,
    index,
    // name= is the whole stable id (it survives moving the file); otherwise file + qualified name.
    id: marked.options.name ?? `${module}#${marked.qualifiedName}`,
    paramsText: marked.node.getParameters().map(p => p.getText()).join(', '),
    self: thisKeying(marked),
    report: (paramPath, message, fix, severity) => {
      const param = marked.node.getParameters().find(p => p.getNameNode().getText() === paramPath.split(/[.[]/)[0]);
      const { line, column } = file.getLineAndColumnAtPos((param ?? marked.node).getStart());
      diagnostics.push({ file: path, line, col: column, fn: marked.qualifiedName, path: paramPath, message: `${marked.qualifiedName}: ${message}`, fix, severity });
    },
  };
}
