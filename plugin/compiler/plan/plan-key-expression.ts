import { Node, ts, type SourceFile } from 'ts-morph';
import type { FoundFunction } from '../function-unit.js';
import type { FunctionPlan } from './key-plan.js';
import { TypePlanner, type PlanTypeOptions } from './plan-type.js';

/**
 * `key=EXPR`: type-checks the expression over the parameters and plans its type. The check appends a function
 * to the in-memory file, so the compile loop plans key expressions after everything else has read the file.
 */
export function planKeyExpression(file: SourceFile, unit: FoundFunction, options: PlanTypeOptions): FunctionPlan {
  const { report } = options;
  const expression = unit.marked.options.key!;
  const params = unit.paramsText;
  const thisParam = unit.self.by === 'key' ? unit.self.thisParam : undefined;
  const self = thisParam ? `${thisParam}${params ? ', ' : ''}` : '';
  const [check] = file.addStatements(`function __beautyspot_key${unit.index}(${self}${params}) { return (${expression}); }`);
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
