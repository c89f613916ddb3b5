import { KeyWriter, packConstant } from '../../../runtime/keys/key-writer.js';
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
  const body: Line[] = [];
  if (plan.key) body.push(`const key = (function (${plan.key.params}) { return (${plan.key.expression}); }).apply(self, args);`);
  if (plan.self) {
    body.push('w.mark();');
    e.write(plan.self, 'self', 'this', body);
  }
  body.push(constant('', `args(${keyed.length})`, w => w.args(keyed.length)));
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
  const statements = e.render(body);
  return {
    preamble: e.preamble.join('\n'),
    writer: `(w, args, self) => {\n${statements.map(line => `  ${line}`).join('\n')}\n}`,
    params: [...(plan.self ? ['this'] : []), ...keyed.map(p => p.name)],
  };
}

/**
 * Bytes that do not depend on the value (tags of objects, field names), written by `fill` at build time.
 * `render` turns each run of them into one `w.constant(…)` of a module-level constant.
 */
interface ConstantBytes {
  indent: string;
  /** What the bytes are, for the constant's comment. */
  label: string;
  bytes: number[];
}

/** A statement of generated code, or constant bytes still to be merged with their neighbours. */
type Line = string | ConstantBytes;

function constant(indent: string, label: string, fill: (w: KeyWriter) => void): ConstantBytes {
  const w = new KeyWriter(16);
  fill(w);
  return { indent, label, bytes: [...w.view()] };
}

class Emitter {
  readonly preamble: string[] = [];
  private count = 0;
  /** Constant byte runs already declared, by their bytes. */
  private readonly constants = new Map<string, string>();

  constructor(private readonly config: EmitConfig) {}

  fresh(base: string): string {
    return `${base}${this.count++}`;
  }

  namedWriter(name: string, plan: KeyPlan): void {
    const lines: Line[] = [];
    this.write(plan, 'v', name, lines, '  ');
    const body = this.render(lines);
    this.preamble.push(`function ${this.refName(name)}(w, v) {\n${body.join('\n')}\n}`);
  }

  /**
   * The statements of `lines`, each run of constant bytes in one block written by a single `w.constant` of a
   * module-level constant: one call and one copy instead of one per part. A run goes on over local bindings
   * (`const v1 = v0["limits"];`), which are put before it: they write nothing, and no user code sees `w`.
   */
  render(lines: Line[]): string[] {
    const out: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (typeof line === 'string') {
        out.push(line);
        continue;
      }
      const run = [line];
      const binding = `${line.indent}const `;
      for (let j = i + 1; j < lines.length; j++) {
        const next = lines[j]!;
        if (typeof next === 'string' ? !next.startsWith(binding) : next.indent !== line.indent) break;
        if (typeof next === 'string') out.push(next);
        else run.push(next);
        i = j;
      }
      out.push(`${line.indent}w.constant(${this.constantName(run)});`);
    }
    return out;
  }

  /** The module-level constant holding the bytes of `run`, declared once per distinct bytes. */
  private constantName(run: ConstantBytes[]): string {
    const bytes = packConstant(new Uint8Array(run.flatMap(part => part.bytes))).join(',');
    let name = this.constants.get(bytes);
    if (!name) {
      name = `${this.config.prefix}k${this.constants.size}`;
      const label = run.map(part => part.label).join(' ').replace(/\*\//g, '*\\/');
      this.preamble.push(`const ${name} = /* ${label} */ new Int32Array([${bytes}]);`);
      this.constants.set(bytes, name);
    }
    return name;
  }

  /** Appends the statements that key `expr` (evaluated once) by `plan`; `path` names it in errors. */
  write(plan: KeyPlan, expr: string, path: string, out: Line[], indent = ''): void {
    const ns = this.config.ns;
    const line = (text: string): void => {
      out.push(indent + text);
    };
    const bytes = (label: string, fill: (w: KeyWriter) => void, at = indent): void => {
      out.push(constant(at, label, fill));
    };
    switch (plan.kind) {
      case 'string': return line(`w.str(${expr});`);
      case 'number': return line(`w.num(${expr});`);
      case 'boolean': return line(`w.bool(${expr});`);
      case 'bigint': return line(`w.big(${expr});`);
      case 'null': return bytes('null', w => w.nul());
      case 'undefined': return bytes('undefined', w => w.undef());
      case 'date': return line(`w.date(${expr});`);
      case 'regexp': return line(`w.regexp(${expr});`);
      case 'binary': return line(`w.binary(${expr});`);
      case 'file': return line(`w.file(${expr}, ${JSON.stringify(path)});`);
      case 'dir': return line(`w.dir(${expr}, ${JSON.stringify(path)});`);
      case 'path': return line(`w.path(${expr}, ${JSON.stringify(path)});`);
      case 'ignore': return;
      case 'dynamic': return line(`${ns}.writeDynamic(w, ${expr}, ${JSON.stringify(path)});`);
      case 'ref': return line(`${this.refName(plan.name)}(w, ${expr});`);
      case 'hook': {
        const v = this.fresh('h');
        line(`const ${v} = ${expr}[${ns}.keyHook]();`);
        bytes('hook', w => w.hook());
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
        bytes('{', w => w.object());
        for (const field of plan.fields) {
          const access = `${v}[${JSON.stringify(field.name)}]`;
          const key = (at: string): void => bytes(JSON.stringify(field.name), w => w.key(field.name), at);
          if (field.optional) {
            line(`if (Object.hasOwn(${v}, ${JSON.stringify(field.name)})) {`);
            key(`${indent}  `);
            this.write(field.plan, access, `${path}.${field.name}`, out, `${indent}  `);
            line('}');
          } else {
            key(indent);
            this.write(field.plan, access, `${path}.${field.name}`, out, indent);
          }
        }
        return bytes('}', w => w.end());
      }
      case 'record': {
        const v = this.bind(expr, out, indent);
        const k = this.fresh('k');
        bytes('{', w => w.object());
        line(`for (const ${k} of Object.keys(${v}).sort()) {`);
        line(`  w.key(${k});`);
        this.write(plan.value, `${v}[${k}]`, `${path}[key]`, out, `${indent}  `);
        line('}');
        return bytes('}', w => w.end());
      }
      case 'map': {
        const keyLines: Line[] = [];
        const valueLines: Line[] = [];
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
  private bind(expr: string, out: Line[], indent: string): string {
    if (/^[A-Za-z_$][\w$]*$/.test(expr)) return expr;
    const v = this.fresh('v');
    out.push(`${indent}const ${v} = ${expr};`);
    return v;
  }

  private refName(name: string): string {
    return `${this.config.prefix}w_${name.replace(/[^\w$]/g, '_')}`;
  }
}
