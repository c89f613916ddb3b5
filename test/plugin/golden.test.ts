import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BeautyspotContext, type TransformOutput } from '../../plugin/compiler/context.js';

// The golden output imports the runtime from the default module ("beautyspot/runtime"), so the snapshot holds no
// machine paths; transform.test.ts runs compiled code.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const file = join(fixtures, 'golden.ts');
let shared: BeautyspotContext | undefined;
const context = (): BeautyspotContext => (shared ??= new BeautyspotContext({ root: fixtures }));

function golden(ctx: BeautyspotContext): TransformOutput {
  const out = ctx.transform(readFileSync(file, 'utf8'), file);
  if (!out) throw new Error('golden.ts was left unchanged');
  return out;
}

describe('golden output', () => {
  it('generated code for representative signatures', async () => {
    await expect(golden(context()).code).toMatchFileSnapshot('./__snapshots__/golden/golden.ts.snap');
  });

  it('key plans for the same signatures', async () => {
    await expect(`${JSON.stringify(golden(context()).plans, null, 2)}\n`).toMatchFileSnapshot('./__snapshots__/golden/golden.plans.json.snap');
  });

  it('marks every annotated function of the file', () => {
    expect(Object.keys(golden(context()).plans)).toEqual([
      'golden.ts#fetchPage', 'golden.ts#render', 'golden.ts#crawl', 'golden.ts#area', 'golden.ts#count', 'golden.ts#complete',
      'golden.ts#tally', 'golden.ts#raw', 'golden.ts#Repo.log', 'golden.ts#Repo.open', 'golden.ts#default',
    ]);
  });

  it('is the same text from two fresh contexts', () => {
    const first = golden(new BeautyspotContext({ root: fixtures }));
    const second = golden(new BeautyspotContext({ root: fixtures }));
    expect(second.code).toBe(first.code);
    expect(second.plans).toEqual(first.plans);
    expect(first.code).toBe(golden(context()).code);
  });

  it('compiles without warnings in strict mode except for the one unknown parameter', () => {
    const out = golden(new BeautyspotContext({ root: fixtures, strict: true }));
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toContain('raw: parameter value (type unknown) is keyed by the dynamic encoder (its type is unknown)');
  });
});
