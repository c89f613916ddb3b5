import { Node, SyntaxKind, type Expression, type ParameterDeclaration } from 'ts-morph';
import type { MarkedFunction } from '../find/find-marked.js';
import type { FunctionPlan, KeyPlan, ParamPlan, UnionMember } from './key-plan.js';
import { TypePlanner, type PlanTypeOptions } from './plan-type.js';
import { isThisParameter } from './this-keying.js';

/**
 * The key plan of a function's parameters (and of `this`, when a `this: T` parameter types it: see this-keying.ts):
 * a marked function's, or that of a function given to `cachedRun`.
 */
export function planFunction(marked: Pick<MarkedFunction, 'node'>, options: PlanTypeOptions): FunctionPlan {
  const planner = new TypePlanner(marked.node, options);
  const params: ParamPlan[] = [];
  let self: KeyPlan | undefined;
  for (const param of marked.node.getParameters()) {
    const name = param.getNameNode().getText();
    if (isThisParameter(param)) {
      self = planner.plan(param.getType(), 'this');
      continue;
    }
    if (param.isRestParameter()) {
      const element = param.getType().getArrayElementType();
      params.push({ name, rest: true, plan: element ? planner.plan(element, `${name}[]`) : { kind: 'dynamic' } });
      continue;
    }
    const defaultValue = constantDefault(param);
    let plan = planner.plan(param.getType(), name);
    // Without strictNullChecks an optional parameter's type omits undefined; the value can still be missing.
    if ((param.isOptional() || param.hasInitializer()) && defaultValue === undefined) plan = allowUndefined(plan);
    params.push({ name, plan, ...(defaultValue === undefined ? {} : { defaultValue }) });
  }
  return { params, named: planner.named, ...(self ? { self } : {}) };
}

/** The source text of a default that is a constant (so it can be bound at build time), else undefined. */
function constantDefault(param: ParameterDeclaration): string | undefined {
  const init = param.getInitializer();
  return init && isConstant(init) ? init.getText() : undefined;
}

function isConstant(node: Expression): boolean {
  switch (node.getKind()) {
    case SyntaxKind.NumericLiteral:
    case SyntaxKind.BigIntLiteral:
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.FalseKeyword:
    case SyntaxKind.NullKeyword:
      return true;
    case SyntaxKind.PrefixUnaryExpression: {
      const operand = node.asKindOrThrow(SyntaxKind.PrefixUnaryExpression).getOperand();
      return Node.isNumericLiteral(operand) || Node.isBigIntLiteral(operand);
    }
    case SyntaxKind.ArrayLiteralExpression:
      return node.asKindOrThrow(SyntaxKind.ArrayLiteralExpression).getElements().every(isConstant);
    case SyntaxKind.ObjectLiteralExpression:
      return node.asKindOrThrow(SyntaxKind.ObjectLiteralExpression).getProperties().every(p =>
        Node.isPropertyAssignment(p) && !Node.isComputedPropertyName(p.getNameNode()) && isConstant(p.getInitializerOrThrow()));
    default:
      return false;
  }
}

function allowUndefined(plan: KeyPlan): KeyPlan {
  switch (plan.kind) {
    case 'dynamic':
    case 'ignore':
    case 'undefined':
      return plan;
    case 'union':
      return plan.members.some(m => m.test === 'undefined') ? plan : { kind: 'union', members: [{ test: 'undefined', plan: { kind: 'undefined' } }, ...plan.members] };
    default:
      return { kind: 'union', members: [{ test: 'undefined', plan: { kind: 'undefined' } }, { test: categoryOf(plan), plan }] };
  }
}

function categoryOf(plan: KeyPlan): UnionMember['test'] {
  switch (plan.kind) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'null':
      return plan.kind;
    case 'file':
    case 'dir':
    case 'path':
      return 'string';
    case 'array':
    case 'tuple':
      return 'array';
    default:
      return 'object';
  }
}
