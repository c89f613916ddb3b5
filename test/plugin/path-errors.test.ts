// Compiled FilePath/DirPath keys name the parameter when the path is the wrong kind: the compiler passes each
// parameter's path to w.file / w.dir (test/runtime/path-errors.test.ts covers the runtime side).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnkeyableValueError } from '../../runtime/index.js';
import { defineTempSpot, loadCompiled } from '../helpers/compile-fixture.js';
import { tempDir } from '../helpers/temp-spot.js';
import { thrown as thrownBy } from '../helpers/thrown.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface PathParams {
  runs: string[];
  convert(input: string, verbose?: boolean): string;
  build(options: { config: string; out: string }): string;
  publish(site: string): string;
  render(page: string | null): Promise<string>;
  archive(source: string): string;
}

let m: PathParams;
const spot = defineTempSpot('paths');

beforeAll(async () => {
  m = (await loadCompiled(join(fixtures, 'path-params.ts'), fixtures)).module as unknown as PathParams;
});

afterAll(() => spot.remove());

const thrown = (run: () => unknown): UnkeyableValueError => thrownBy(UnkeyableValueError, run);

describe('compiled FilePath and DirPath parameters given the wrong kind of path', () => {
  it('a directory for a FilePath names the parameter and suggests DirPath; the body does not run', () => {
    const dir = tempDir();
    const error = thrown(() => m.convert(dir, true));
    expect(error.path).toBe('input');
    expect(error.message).toBe(`[beautyspot] input cannot be keyed: it is a FilePath, and ${JSON.stringify(dir)} is a directory. ` +
      'Declare the parameter as DirPath to key the directory\'s tree (FilePath | DirPath for either), or pass the path of a file.');
    expect(m.runs).toEqual([]);
  });

  it('a FilePath inside an object parameter is named by its path', () => {
    expect(thrown(() => m.build({ config: tempDir(), out: 'dist' })).message)
      .toContain('[beautyspot] options.config cannot be keyed: it is a FilePath, and');
  });

  it('a file for a DirPath names the parameter and suggests FilePath', () => {
    const file = join(tempDir(), 'index.html');
    writeFileSync(file, '<p>');
    expect(thrown(() => m.publish(file)).message).toBe(`[beautyspot] site cannot be keyed: it is a DirPath, and ${JSON.stringify(file)} ` +
      'is not a directory (it is a file). Declare the parameter as FilePath to key the file\'s content (FilePath | DirPath for either), ' +
      'or pass the path of a directory.');
  });

  it('an async function rejects with the error instead of throwing', async () => {
    const dir = tempDir();
    const result = m.render(dir);
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(`[beautyspot] page cannot be keyed: it is a FilePath, and ${JSON.stringify(dir)} is a directory.`);
  });

  it('the right kinds of path still key and hit', async () => {
    const base = tempDir();
    const file = join(base, 'in.txt');
    writeFileSync(file, 'x');
    expect([m.convert(file), m.convert(file, false), m.publish(base), m.publish(base), await m.render(null), await m.render(null)])
      .toEqual([file, file, base, base, 'null', 'null']);
    expect(m.runs).toEqual([`convert(${file},undefined)`, `publish(${base})`, 'render(null)']);
  });
});

describe('a compiled FilePath | DirPath parameter', () => {
  it('keys a file by its content and a directory by its tree, whichever the path is at the call', () => {
    const base = tempDir();
    const file = join(base, 'notes.txt');
    const dir = join(base, 'site');
    writeFileSync(file, 'A');
    mkdirSync(dir);
    writeFileSync(join(dir, 'index.html'), '<p>');
    m.runs.length = 0;
    const calls = (): string[] => [m.archive(file), m.archive(dir)];
    calls();
    calls();
    expect(m.runs).toEqual([`archive(${file})`, `archive(${dir})`]);
    writeFileSync(file, 'B');
    writeFileSync(join(dir, 'about.html'), '<p>');
    calls();
    expect(m.runs).toHaveLength(4);
    // The same path, a file once and a directory later, is two keys.
    rmSync(file);
    mkdirSync(file);
    m.archive(file);
    expect(m.runs).toHaveLength(5);
  });
});
