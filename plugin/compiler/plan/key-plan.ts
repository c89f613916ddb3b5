/**
 * The key plan: how one parameter's value becomes key bytes, decided at build time from its TypeScript type.
 * Plain data (JSON-serialisable), so it can be snapshotted, compared across builds and turned into code by one
 * pure function (`emitKeyCode`). Wherever a plan is not a type-driven choice (`ignore`, `file`, `dir`, `path`,
 * declared-field projection), the bytes it emits equal the runtime's dynamic encoder's for the same value.
 */
export type KeyPlan =
  | { kind: 'string' }
  | { kind: 'number' }
  | { kind: 'boolean' }
  | { kind: 'bigint' }
  | { kind: 'null' }
  | { kind: 'undefined' }
  | { kind: 'date' }
  | { kind: 'regexp' }
  /** typed arrays, Buffer, ArrayBuffer, DataView */
  | { kind: 'binary' }
  | { kind: 'array'; element: KeyPlan }
  | { kind: 'tuple'; elements: KeyPlan[]; rest?: KeyPlan }
  /** declared fields, sorted by name at build time */
  | { kind: 'object'; fields: FieldPlan[] }
  /** `Record<string, T>` and index signatures: every own key, sorted at run time */
  | { kind: 'record'; value: KeyPlan }
  | { kind: 'map'; key: KeyPlan; value: KeyPlan }
  | { kind: 'set'; element: KeyPlan }
  /** members told apart by `typeof` and null/undefined checks */
  | { kind: 'union'; members: UnionMember[] }
  /** object members told apart by a literal-typed property */
  | { kind: 'discriminated'; property: string; cases: { values: (string | number | boolean)[]; plan: KeyPlan }[] }
  /** a class with a `[keyHook]()` method: the hook's value, keyed by the hook's return type */
  | { kind: 'hook'; result: KeyPlan }
  | { kind: 'file' }
  | { kind: 'dir' }
  /** `FilePath | DirPath`: keyed as a `DirPath` when the path is a directory at the call, else as a `FilePath` */
  | { kind: 'path' }
  | { kind: 'ignore' }
  /** a recursive type: the plan named `name` in the enclosing plan set */
  | { kind: 'ref'; name: string }
  /** unknown at build time: the runtime's canonical dynamic encoder */
  | { kind: 'dynamic' };

export interface FieldPlan {
  name: string;
  optional: boolean;
  plan: KeyPlan;
}

/** One member of a `union` plan, chosen by `test` at run time. */
export interface UnionMember {
  test: 'string' | 'number' | 'boolean' | 'bigint' | 'null' | 'undefined' | 'array' | 'object';
  plan: KeyPlan;
}

/** The plan of a whole function: its parameters in order, plus named plans for recursive types. */
export interface FunctionPlan {
  params: ParamPlan[];
  /** Plans of recursive types, referenced by `{ kind: 'ref' }`. */
  named: Record<string, KeyPlan>;
  /** Key `this` with this plan (a method whose `this` the user typed), or not at all. */
  self?: KeyPlan;
  /** `key=EXPR`: the key is the expression's value over the parameters (then `params` holds its one plan). */
  key?: { params: string; expression: string };
}

export interface ParamPlan {
  name: string;
  plan: KeyPlan;
  /** A rest parameter: the plan applies to each remaining argument, keyed as an array. */
  rest?: boolean;
  /** Source text of a constant default value, bound at build time: `f(1)` and `f(1, 2)` are one entry when 2 is the default. */
  defaultValue?: string;
}
