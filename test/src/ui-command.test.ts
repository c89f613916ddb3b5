import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';
import { startNode } from '../helpers/node-child.js';
import { tempDir } from '../helpers/temp-spot.js';

const CLI = join(process.cwd(), 'dist', 'src', 'cli.js');
const RUNTIME = pathToFileURL(join(process.cwd(), 'dist', 'runtime', 'index.js')).href;

it('beautyspot ui --codec loads a TypeScript module that registers a type, prints its URL and stops on Ctrl-C', async () => {
  const dir = tempDir();
  const codec = join(dir, 'codec.ts');
  writeFileSync(codec, `import { registerType } from ${JSON.stringify(RUNTIME)};
export class Point { constructor(readonly x: number, readonly y: number) {} }
registerType({ name: 'Point', class: Point, encode: (p: Point) => [p.x, p.y], decode: (d: unknown) => new Point(...(d as [number, number])) });
`);
  const writer = join(dir, 'writer.mjs');
  writeFileSync(writer, `import { Spot, registerType } from ${JSON.stringify(RUNTIME)};
class Point { constructor(x, y) { this.x = x; this.y = y; } }
registerType({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: d => new Point(...d) });
const spot = new Spot('default', { dir: ${JSON.stringify(dir)} });
spot.mark(n => new Point(n, 2), { name: 'point' })(1);
spot.close();
`);
  expect((await startNode(writer, { timeoutMs: 20_000 }).result).code).toBe(0);

  const child = spawn(process.execPath, [CLI, 'ui', '--dir', dir, '--port', '0', '--codec', codec], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', chunk => (out += chunk));
  const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
  try {
    await expect.poll(() => out, { timeout: 20_000 }).toMatch(/^beautyspot ui: http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}\n/);
    const url = new URL(out.split('\n')[0]!.slice('beautyspot ui: '.length));
    const token = url.searchParams.get('token')!;
    const ask = (path: string): Promise<any> => fetch(new URL(path, url), { headers: { 'x-beautyspot-token': token } }).then(r => r.json());
    const [entry] = (await ask('/api/entries?spot=default')).rows;
    const value = await ask(`/api/value?spot=default&key=${entry.key}`);
    expect(value.note).toBeUndefined();
    expect(value.tree).toEqual({ t: 'object', cls: 'Point', fields: [['x', { t: 'number', v: '1' }], ['y', { t: 'number', v: '2' }]] });
    expect((await ask('/api/spots')).codec.module).toBe(codec);
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  expect(out).toContain('beautyspot ui: stopped\n');
});
