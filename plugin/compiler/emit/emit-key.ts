import { KeyWriter } from '../../../runtime/keys/key-writer.js';
import type { FunctionPlan, KeyPlan } from '../plan/key-plan.js';

export interface EmitConfig {
  /** The identifier the generated module binds the runtime namespace to (`import * as NS from 'beautyspot/runtime'`). */
  ns: string;
  /** A prefix for module-level constants, unique per function in the module. */
  prefix: string;
}

export interface EmittedKey {
  /** Module-level declarations the writer uses (precomputed field-name bytes, recursive plan writers). */
  preamble: string;
  /** A function expression `(w, args, self) => { … }` writing the arguments' key bytes. */
  writer: string;
  /** Names of the keyed parameters in key order, for per-parameter digests. */
  params: string[];
}

const TYPEOF_TEST = { string: 'string', number: 'number', boolean: 'boolean', bigint: 'bigint' } as const;

/**
 * Turns a function's key plan into straight-line JS. Pure: the same plan and config give the same text.
 * The bytes written equal the runtime dynamic encoder's wherever the plan is not a type-driven choice.
 */
export function emitKeyCode(plan: FunctionPlan, config: EmitConfig): EmittedKey {
  const e = new Emitter(config);
  const named = Object.keys(plan.named).sort();
  for (const name of named) e.namedWriter(name, plan.named[name]!);
  const keyed = plan.params.filter(p => p.plan.kind !== 'ignore');
  const body: string[] = [];
  if (plan.key) body.push(`const key = (function (${plan.key.params}) { return (${plan.key.expression}); }).apply(self, args);`);
  if (plan.self) {
    body.push('w.mark();');
    e.write(plan.self, 'self', 'this', body);
  }
  body.push(`w.args(${keyed.length});`);
  plan.params.forEach((param, i) => {
    if (param.plan.kind === 'ignore') return;
    body.push('w.mark();');
    if (param.rest) {
      const j = e.fresh('i');
      body.push(`w.array(Math.max(0, args.length - ${i}));`, `for (let ${j} = ${i}; ${j} < args.length; ${j}++) {`);
      e.write(param.plan, `args[${j}]`, `${param.name}[${j} - ${i}]`, body, '  ');
      body.push('}');
      return;
    }
    const arg = plan.key ? 'key' : `args[${i}]`;
    const value = param.defaultValue === undefined ? arg : `(${arg} === undefined ? (${param.defaultValue}) : ${arg})`;
    e.write(param.plan, value, param.name, body);
  });
  return {
    preamble: e.preamble.join('\n'),
    writer: `(w, args, self) => {\n${body.map(line => `  ${line}`).join('\n')}\n}`,
    params: [...(plan.self ? ['this'] : []), ...keyed.map(p => p.name)],
  };
}

class Emitter {
  readonly preamble: string[] = [];
  private count = 0;
  private readonly keys = new Map<string, string>();

  constructor(private readonly config: EmitConfig) {}

  fresh(base: string): string {
    return `${base}${this.count++}`;
  }

  namedWriter(name: string, plan: KeyPlan): void {
    const lines: string[] = [];
    this.write(plan, 'v', name, lines, '  ');
    this.preamble.push(`function ${this.refName(name)}(w, v) {\n${lines.join('\n')}\n}`);
  }

  /** Appends the statements that key `expr` (evaluated once) by `plan`; `path` names it in errors. */
  write(plan: KeyPlan, expr: string, path: string, out: string[], indent = ''): void {
    const ns = this.config.ns;
    const line = (text: string): void => {
      out.push(indent + text);
    };
    switch (plan.kind) {
      case 'string': return line(`w.str(${expr});`);
      case 'number': return line(`w.num(${expr});`);
      case 'boolean': return line(`w.bool(${expr});`);
      case 'bigint': return line(`w.big(${expr});`);
      case 'null': return line('w.nul();');
      case 'undefined': return line('w.undef();');
      case 'date': return line(`w.date(${expr});`);
      case 'regexp': return line(`w.regexp(${expr});`);
      case 'binary': return line(`w.binary(${expr});`);
      case 'file': return line(`w.file(${expr}, ${JSON.stringify(path)});`);
      case 'dir': return line(`w.dir(${expr}, ${JSON.stringify(path)});`);
      case 'ignore': return;
      case 'dynamic': return line(`${ns}.writeDynamic(w, ${expr}, ${JSON.stringify(path)});`);
      case 'ref': return line(`${this.refName(plan.name)}(w, ${expr});`);
      case 'hook': {
        const v = this.fresh('h');
        line(`const ${v} = ${expr}[${ns}.keyHook]();`);
        line('w.hook();');
        return this.write(plan.result, v, `${path}[keyHook]()`, out, indent);
      }
      case 'array': {
        const v = this.bind(expr, out, indent);
        const item = this.fresh('e');
        line(`w.array(${v}.length);`);
        line(`for (let ${item} = 0; ${item} < ${v}.length; ${item}++) {`);
        this.write(plan.element, `${v}[${item}]`, `${path}[]`, out, `${indent}  `);
        return line('}');
      }
      case 'tuple': {
        const v = this.bind(expr, out, indent);
        line(`w.array(${v}.length);`);
        plan.elements.forEach((element, i) => {
          line(`if (${v}.length > ${i}) {`);
          this.write(element, `${v}[${i}]`, `${path}[${i}]`, out, `${indent}  `);
          line('}');
        });
        const item = this.fresh('e');
        line(`for (let ${item} = ${plan.elements.length}; ${item} < ${v}.length; ${item}++) {`);
        this.write(plan.rest ?? { kind: 'dynamic' }, `${v}[${item}]`, `${path}[]`, out, `${indent}  `);
        return line('}');
      }
      case 'object': {
        const v = this.bind(expr, out, indent);
        line('w.object();');
        for (const field of plan.fields) {
          const access = `${v}[${JSON.stringify(field.name)}]`;
          if (field.optional) {
            line(`if (Object.hasOwn(${v}, ${JSON.stringify(field.name)})) {`);
            line(`  w.raw(${this.keyBytes(field.name)});`);
            this.write(field.plan, access, `${path}.${field.name}`, out, `${indent}  `);
            line('}');
          } else {
            line(`w.raw(${this.keyBytes(field.name)});`);
            this.write(field.plan, access, `${path}.${field.name}`, out, indent);
          }
        }
        return line('w.end();');
      }
      case 'record': {
        const v = this.bind(expr, out, indent);
        const k = this.fresh('k');
        line('w.object();');
        line(`for (const ${k} of Object.keys(${v}).sort()) {`);
        line(`  w.key(${k});`);
        this.write(plan.value, `${v}[${k}]`, `${path}[key]`, out, `${indent}  `);
        line('}');
        return line('w.end();');
      }
      case 'map': {
        const keyLines: string[] = [];
        const valueLines: string[] = [];
        this.write(plan.key, 'k', `${path}.key`, keyLines, `${indent}  `);
        this.write(plan.value, 'v', `${path}.get(…)`, valueLines, `${indent}  `);
        line(`w.mapOf(${expr}, (w, k) => {`);
        out.push(...keyLines);
        line('}, (w, v) => {');
        out.push(...valueLines);
        return line('});');
      }
      case 'set': {
        line(`w.setOf(${expr}, (w, v) => {`);
        this.write(plan.element, 'v', `${path}.member`, out, `${indent}  `);
        return line('});');
      }
      case 'union': {
        const v = this.bind(expr, out, indent);
        plan.members.forEach((member, i) => {
          line(`${i === 0 ? 'if' : '} else if'} (${this.test(member.test, v)}) {`);
          this.write(member.plan, v, path, out, `${indent}  `);
        });
        line('} else {');
        line(`  ${ns}.writeDynamic(w, ${v}, ${JSON.stringify(path)});`);
        return line('}');
      }
      case 'discriminated': {
        const v = this.bind(expr, out, indent);
        line(`switch (${v}[${JSON.stringify(plan.property)}]) {`);
        for (const c of plan.cases) {
          for (const value of c.values) line(`  case ${JSON.stringify(value)}:`);
          line('  {');
          this.write(c.plan, v, path, out, `${indent}    `);
          line('    break;');
          line('  }');
        }
        line(`  default: ${ns}.writeDynamic(w, ${v}, ${JSON.stringify(path)});`);
        return line('}');
      }
    }
  }

  private test(test: string, v: string): string {
    switch (test) {
      case 'null': return `${v} === null`;
      case 'undefined': return `${v} === undefined`;
      case 'array': return `Array.isArray(${v})`;
      case 'object': return `typeof ${v} === 'object' && ${v} !== null`;
      default: return `typeof ${v} === '${TYPEOF_TEST[test as keyof typeof TYPEOF_TEST]}'`;
    }
  }

  /** Binds a compound expression to a local once, so it is evaluated once. */
  private bind(expr: string, out: string[], indent: string): string {
    if (/^[A-Za-z_$][\w$]*$/.test(expr)) return expr;
    const v = this.fresh('v');
    out.push(`${indent}const ${v} = ${expr};`);
    return v;
  }

  /** A module-level constant holding the key bytes of a field name (`str(name)`), built once. */
  private keyBytes(name: string): string {
    let constant = this.keys.get(name);
    if (!constant) {
      constant = `${this.config.prefix}k${this.keys.size}`;
      const w = new KeyWriter(16);
      w.key(name);
      const bytes = [...w.view()];
      this.preamble.push(`const ${constant} = /* ${JSON.stringify(name).replace(/\*\//g, '*\\/')} */ new Uint8Array([${bytes.join(',')}]);`);
      this.keys.set(name, constant);
    }
    return constant;
  }

  private refName(name: string): string {
    return `${this.config.prefix}w_${name.replace(/[^\w$]/g, '_')}`;
  }
}
