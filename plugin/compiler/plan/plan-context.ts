import type { Node, Type } from 'ts-morph';
import type { KeyPlan } from './key-plan.js';

/** What each kind's planner may use: recursion, the location for property types, and error reporting. */
export interface PlanContext {
  /** The node whose scope resolves property types (the parameter). */
  readonly location: Node;
  /** Plans a nested type (recursion-safe). */
  plan(type: Type, path: string): KeyPlan;
  /** Records a build error for `path` and returns a placeholder plan. */
  fail(path: string, type: Type, reason: string, fix?: string): KeyPlan;
  /** Notes a value keyed by the dynamic encoder (a warning in strict mode). */
  dynamic(path: string, type: Type, reason: string): KeyPlan;
}

/** A planner for one kind of type: a plan, or undefined to let the next planner try. */
export type KindPlanner = (type: Type, path: string, ctx: PlanContext) => KeyPlan | undefined;

export const UNKEYABLE_FIX = 'Wrap the parameter in Ignore<T>, key the function with key=…, or give the class a [keyHook]() method';
