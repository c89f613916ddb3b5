import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BeautyspotContext } from '../../plugin/compiler/context.js';

// Code hashes are part of every key: their bytes, and the dependencies `beautyspot why` names, must not change.
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const file = join(fixtures, 'code-hash', 'deps.ts');

describe('code hash golden', () => {
  it('hashes and dependencies of functions reaching each kind of declaration', async () => {
    const out = new BeautyspotContext({ root: fixtures }).transform(readFileSync(file, 'utf8'), file);
    const compiled = [...out!.code.matchAll(/\{ id: ("[^"]*"), codeHash: ("[0-9a-f]*"), code: (\{.*?\}), params:/g)]
      .map(([, id, hash, code]) => `${JSON.parse(id!)} ${JSON.parse(hash!)}\n${JSON.stringify(JSON.parse(code!), null, 2)}`);
    expect(compiled).toHaveLength(4);
    await expect(`${compiled.join('\n\n')}\n`).toMatchFileSnapshot('./__snapshots__/code-hash/deps.txt.snap');
  });
});
