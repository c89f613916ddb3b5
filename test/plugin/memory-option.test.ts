import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { HitEvent } from '../../runtime/index.js';
import { defineTempSpot, loadCompiled, type CompiledFixture } from '../helpers/compile-fixture.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

const source = `let runs = 0;
/** @mark spot=remembering memory=2 */
export function order(id: number): { id: number; run: number; items: string[] } {
  return { id, run: ++runs, items: ['a'] };
}
/** @mark spot=remembering memory=2 */
export async function later(id: number): Promise<{ id: number; run: number }> {
  return { id, run: ++runs };
}
`;

interface Module {
  order(id: number): { id: number; run: number; items: string[] };
  later(id: number): Promise<{ id: number; run: number }>;
}

const temp = defineTempSpot('remembering');
let compiled: CompiledFixture;
let m: Module;

beforeAll(async () => {
  compiled = await loadCompiled(join(fixtures, 'inline', 'memory-option.ts'), fixtures, source);
  m = compiled.module as unknown as Module;
});

afterAll(() => temp.remove());

it('the annotation\'s memory=N reaches the runtime', () => {
  expect(compiled.output.code).toContain('memory: 2');
});

it('a compiled function with memory=2 serves repeated hits from memory, fresh each time, at most 2 entries', () => {
  m.order(1);
  m.order(2);
  const get = vi.spyOn(temp.spot.parts().store, 'get');
  const events: HitEvent[] = [];
  const off = temp.spot.on('hit', event => events.push(event));
  const hit = m.order(1);
  hit.items.push('changed');
  expect(m.order(1)).toEqual({ id: 1, run: 1, items: ['a'] });
  m.order(2);
  expect(get).not.toHaveBeenCalled();
  m.order(3);
  m.order(1);
  m.order(3);
  expect(get).toHaveBeenCalledTimes(2); // order(3)'s miss and order(1), which order(3) pushed out
  expect(events.map(e => e.memory)).toEqual([true, true, true, undefined, true]);
  off();
  get.mockRestore();
});

it('an async compiled function with memory=2 serves repeated hits from memory', async () => {
  await m.later(1);
  const get = vi.spyOn(temp.spot.parts().store, 'get');
  expect(await m.later(1)).toMatchObject({ id: 1 });
  expect(get).not.toHaveBeenCalled();
  get.mockRestore();
});
