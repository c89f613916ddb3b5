import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emitKeyCode } from '../../plugin/compiler/emit/emit-key.js';
import type { FunctionPlan, KeyPlan } from '../../plugin/compiler/plan/key-plan.js';
import * as runtime from '../../runtime/index.js';
import { KeyWriter, keyHook, writeDynamic } from '../../runtime/index.js';

type Writer = (w: KeyWriter, args: unknown[], self: unknown) => void;

function compile(plan: FunctionPlan): Writer {
  const { preamble, writer } = emitKeyCode(plan, { ns: 'bs', prefix: '__t_' });
  return new Function('bs', `${preamble}\nreturn ${writer};`)(runtime) as Writer;
}

function emitted(plan: KeyPlan, value: unknown): string {
  const w = new KeyWriter();
  compile({ params: [{ name: 'x', plan }], named: {} })(w, [value], undefined);
  return w.view().toString('hex');
}

function dynamic(value: unknown): string {
  const w = new KeyWriter();
  w.args(1);
  w.mark();
  writeDynamic(w, value);
  return w.view().toString('hex');
}

class Point {
  constructor(readonly x: number, readonly y: number) {}
  [keyHook]() {
    return { x: this.x, y: this.y };
  }
}

const field = fc.string({ maxLength: 6 });

/** A plan together with values of its type: the generated code and the dynamic encoder must agree on them. */
const typed: fc.Arbitrary<{ plan: KeyPlan; values: fc.Arbitrary<unknown> }> = fc.letrec<{ node: { plan: KeyPlan; values: fc.Arbitrary<unknown> } }>(tie => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant({ plan: { kind: 'string' } as KeyPlan, values: fc.string() as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'number' } as KeyPlan, values: fc.double() as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'boolean' } as KeyPlan, values: fc.boolean() as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'bigint' } as KeyPlan, values: fc.bigInt() as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'null' } as KeyPlan, values: fc.constant(null) as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'date' } as KeyPlan, values: fc.date({ noInvalidDate: false }) as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'binary' } as KeyPlan, values: fc.oneof(fc.uint8Array(), fc.float64Array(), fc.int16Array()) as fc.Arbitrary<unknown> }),
    fc.constant({ plan: { kind: 'dynamic' } as KeyPlan, values: fc.jsonValue() as fc.Arbitrary<unknown> }),
    fc.constant({
      plan: { kind: 'hook', result: { kind: 'object', fields: [{ name: 'x', optional: false, plan: { kind: 'number' } }, { name: 'y', optional: false, plan: { kind: 'number' } }] } } as KeyPlan,
      values: fc.tuple(fc.double(), fc.double()).map(([x, y]) => new Point(x, y)) as fc.Arbitrary<unknown>,
    }),
    fc.constant({
      plan: { kind: 'union', members: [{ test: 'string', plan: { kind: 'string' } }, { test: 'number', plan: { kind: 'number' } }, { test: 'null', plan: { kind: 'null' } }] } as KeyPlan,
      values: fc.oneof(fc.string(), fc.double(), fc.constant(null)) as fc.Arbitrary<unknown>,
    }),
    tie('node').map(({ plan, values }) => ({ plan: { kind: 'array', element: plan } as KeyPlan, values: fc.array(values, { maxLength: 4 }) as fc.Arbitrary<unknown> })),
    tie('node').map(({ plan, values }) => ({ plan: { kind: 'set', element: plan } as KeyPlan, values: fc.array(values, { maxLength: 4 }).map(a => new Set(a)) as fc.Arbitrary<unknown> })),
    tie('node').map(({ plan, values }) => ({ plan: { kind: 'record', value: plan } as KeyPlan, values: fc.dictionary(field, values, { maxKeys: 4 }) as fc.Arbitrary<unknown> })),
    fc.tuple(tie('node'), tie('node')).map(([k, v]) => ({
      plan: { kind: 'map', key: k.plan, value: v.plan } as KeyPlan,
      values: fc.array(fc.tuple(k.values, v.values), { maxLength: 4 }).map(entries => new Map(entries)) as fc.Arbitrary<unknown>,
    })),
    fc.array(tie('node'), { maxLength: 3 }).map(elements => ({
      plan: { kind: 'tuple', elements: elements.map(e => e.plan) } as KeyPlan,
      values: fc.tuple(...elements.map(e => e.values)) as fc.Arbitrary<unknown>,
    })),
    fc.uniqueArray(fc.tuple(field, tie('node'), fc.boolean()), { selector: ([name]) => name, maxLength: 4 }).map(fields => {
      const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return {
        plan: { kind: 'object', fields: sorted.map(([name, node, optional]) => ({ name, optional, plan: node.plan })) } as KeyPlan,
        values: fc.record(Object.fromEntries(fields.map(([name, node]) => [name, node.values])), {
          requiredKeys: fields.filter(([, , optional]) => !optional).map(([name]) => name),
        }) as fc.Arbitrary<unknown>,
      };
    }),
  ),
})).node;

describe('generated key code', () => {
  it('writes the same bytes as the dynamic encoder for values of the planned type', () => {
    fc.assert(
      fc.property(typed.chain(({ plan, values }) => fc.tuple(fc.constant(plan), values)), ([plan, value]) => {
        expect(emitted(plan, value)).toBe(dynamic(value));
      }),
      { numRuns: 400 },
    );
  });

  it('leaves ignored parameters out and binds constant defaults', () => {
    const writer = compile({
      params: [
        { name: 'text', plan: { kind: 'string' } },
        { name: 'verbose', plan: { kind: 'ignore' } },
        { name: 'depth', plan: { kind: 'number' }, defaultValue: '2' },
      ],
      named: {},
    });
    const key = (...args: unknown[]): string => {
      const w = new KeyWriter();
      writer(w, args, undefined);
      return w.digest();
    };
    expect(key('a', true, 2)).toBe(key('a', false));
    expect(key('a', true, 3)).not.toBe(key('a', true));
    expect(key('b', true)).not.toBe(key('a', true));
  });

  it('keys a rest parameter as the array of the remaining arguments', () => {
    const writer = compile({ params: [{ name: 'first', plan: { kind: 'string' } }, { name: 'rest', plan: { kind: 'number' }, rest: true }], named: {} });
    const key = (...args: unknown[]): string => {
      const w = new KeyWriter();
      writer(w, args, undefined);
      return w.view().toString('hex');
    };
    const expected = new KeyWriter();
    expected.args(2);
    expected.mark();
    writeDynamic(expected, 'a');
    expected.mark();
    writeDynamic(expected, [1, 2]);
    expect(key('a', 1, 2)).toBe(expected.view().toString('hex'));
    expect(key('a')).not.toBe(key('a', 1));
  });

  it('keys recursive types through named writers', () => {
    const tree: KeyPlan = {
      kind: 'object',
      fields: [
        { name: 'children', optional: false, plan: { kind: 'array', element: { kind: 'ref', name: 'Tree' } } },
        { name: 'label', optional: false, plan: { kind: 'string' } },
      ],
    };
    const writer = compile({ params: [{ name: 't', plan: { kind: 'ref', name: 'Tree' } }], named: { Tree: tree } });
    const value = { label: 'root', children: [{ label: 'a', children: [] }, { label: 'b', children: [{ label: 'c', children: [] }] }] };
    const w = new KeyWriter();
    writer(w, [value], undefined);
    expect(w.view().toString('hex')).toBe(dynamic(value));
  });

  it('projects objects onto their declared fields', () => {
    const plan: KeyPlan = { kind: 'object', fields: [{ name: 'id', optional: false, plan: { kind: 'number' } }] };
    expect(emitted(plan, { id: 1, cache: new Map() })).toBe(emitted(plan, { id: 1 }));
    expect(emitted(plan, { id: 1 })).not.toBe(emitted(plan, { id: 2 }));
  });

  it('keys the discriminated member by its own plan', () => {
    const plan: KeyPlan = {
      kind: 'discriminated',
      property: 'type',
      cases: [
        { values: ['circle'], plan: { kind: 'object', fields: [{ name: 'r', optional: false, plan: { kind: 'number' } }, { name: 'type', optional: false, plan: { kind: 'string' } }] } },
        { values: ['square'], plan: { kind: 'object', fields: [{ name: 'side', optional: false, plan: { kind: 'number' } }, { name: 'type', optional: false, plan: { kind: 'string' } }] } },
      ],
    };
    for (const value of [{ type: 'circle', r: 1 }, { type: 'square', side: 2 }, { type: 'other', z: 1 }]) {
      expect(emitted(plan, value)).toBe(dynamic(value));
    }
  });

  it('is a pure function of the plan', () => {
    const plan: FunctionPlan = { params: [{ name: 'o', plan: { kind: 'object', fields: [{ name: 'a', optional: true, plan: { kind: 'string' } }] } }], named: {} };
    expect(emitKeyCode(plan, { ns: 'bs', prefix: 'p_' })).toEqual(emitKeyCode(structuredClone(plan), { ns: 'bs', prefix: 'p_' }));
  });
});
