import { ts, type Node, type Type } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.js';
import type { KeyPlan } from './key-plan.js';
import { planBrand } from './plan-brand.js';
import { planBuiltin } from './plan-builtin.js';
import { UNKEYABLE_FIX, type KindPlanner, type PlanContext } from './plan-context.js';
import { planClass, planObject } from './plan-object.js';
import { planOpaque, planPrimitive, planUnkeyable } from './plan-primitive.js';
import { planUnion } from './plan-union.js';

/**
 * The planners, tried in this order; the first that answers decides:
 * brands wrap other types, so they go first; opaque types (any, unknown, generics) have nothing to look at;
 * primitives before unions, since a union of literals is just its primitive; functions and symbols before
 * the object planners, which would otherwise see their properties.
 */
const PLANNERS: KindPlanner[] = [planBrand, planOpaque, planPrimitive, planUnion, planUnkeyable, planBuiltin, planClass, planObject];

export interface PlanTypeOptions {
  /** Where problems are reported, with the function and parameter for the message. */
  report(path: string, message: string, fix: string | undefined, severity: Diagnostic['severity']): void;
  /** Warn when a value falls back to the dynamic encoder. */
  strict: boolean;
  /** Collects the files declaring the planned types (watch mode re-runs the transform when they change). */
  files?: Set<string>;
}

/** Plans parameter types; recursive types become named plans referenced by `{ kind: 'ref' }`. */
export class TypePlanner implements PlanContext {
  readonly named: Record<string, KeyPlan> = {};
  private readonly active = new Map<Type['compilerType'], { name: string; used: boolean }>();

  constructor(readonly location: Node, private readonly options: PlanTypeOptions) {}

  plan(type: Type, path: string): KeyPlan {
    const active = this.active.get(type.compilerType);
    if (active) {
      active.used = true;
      return { kind: 'ref', name: active.name };
    }
    this.noteFiles(type);
    const entry = { name: refName(type, Object.keys(this.named).length + this.active.size), used: false };
    this.active.set(type.compilerType, entry);
    try {
      for (const planner of PLANNERS) {
        const plan = planner(type, path, this);
        if (!plan) continue;
        if (!entry.used) return plan;
        this.named[entry.name] = plan;
        return { kind: 'ref', name: entry.name };
      }
      return this.dynamic(path, type, 'its type is not one beautyspot knows');
    } finally {
      this.active.delete(type.compilerType);
    }
  }

  private noteFiles(type: Type): void {
    if (!this.options.files) return;
    // With the fields' declarations: an inherited or picked field is declared in another interface's file.
    for (const symbol of [type.getSymbol(), type.getAliasSymbol(), ...(type.isObject() ? type.getProperties() : [])]) {
      for (const declaration of symbol?.getDeclarations() ?? []) {
        const file = declaration.getSourceFile();
        if (!file.isInNodeModules() && !file.isFromExternalLibrary()) this.options.files.add(file.getFilePath());
      }
    }
  }

  fail(path: string, type: Type, reason: string, fix = UNKEYABLE_FIX): KeyPlan {
    this.options.report(path, `${describe(path, type)} ${reason}`, fix, 'error');
    return { kind: 'dynamic' };
  }

  dynamic(path: string, type: Type, reason: string): KeyPlan {
    if (this.options.strict) {
      this.options.report(path, `${describe(path, type)} is keyed by the dynamic encoder (${reason})`,
        'Give it a concrete type for generated key code', 'warning');
    }
    return { kind: 'dynamic' };
  }
}

function describe(path: string, type: Type): string {
  return `parameter ${path} (type ${shortText(type)})`;
}

function shortText(type: Type): string {
  const text = type.getText(undefined, ts.TypeFormatFlags.NoTruncation).replace(/import\("[^"]*"\)\./g, '');
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function refName(type: Type, n: number): string {
  const name = (type.getAliasSymbol() ?? type.getSymbol())?.getName();
  return `${name && /^[A-Za-z_]\w*$/.test(name) ? name : 'T'}${n}`;
}
