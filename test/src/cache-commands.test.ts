import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO, type ProcessResult } from '../e2e/fixture-project.js';

// The cache commands through the real CLI (dist/src/cli.js) on the cache a real pipeline wrote: fixtures/cache-tools
// run with `beautyspot run`, edited between runs the way a user would.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const QUIET = { DEBUG: '', BEAUTYSPOT_SUMMARY: '' };

let project: FixtureProject;
/** Function ids start with the module's path from the project root: the repository, since the copy is under .tmp/. */
let ROOT: string;

function cli(...args: string[]): ProcessResult {
  return project.spawn([CLI, ...args], QUIET);
}

function json<T>(...args: string[]): T {
  const result = cli(...args, '--json');
  if (result.status !== 0) throw new Error(`beautyspot ${args.join(' ')} exited ${result.status}:\n${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

function run(...args: string[]): void {
  const result = project.spawn([CLI, 'run', project.path('src/job.ts'), ...args], QUIET);
  if (result.status !== 0) throw new Error(`the job exited ${result.status}:\n${result.stderr}`);
}

interface Why {
  fn: string;
  closest: string | null;
  causes: { kind: string; name?: string; change?: string; changed?: string[]; text: string }[];
}

beforeAll(() => {
  project = FixtureProject.create('cache-tools', 'cache-tools');
  ROOT = `${project.dir.slice(REPO.length).replace(/^\//, '')}/`;
  run('hello world', 'data/a.txt');
});

afterAll(() => project.remove());

describe('beautyspot why', () => {
  it('names the argument that changed', () => {
    run('hello there', 'data/a.txt');
    const why = json<Why>('why', 'countWords');
    expect(why.fn).toBe(`${ROOT}src/job.ts#countWords`);
    expect(why.causes).toEqual([{ kind: 'argument', name: 'text', change: 'value', text: 'argument "text" changed' }]);
  });

  it('tells a FilePath whose content changed from another path with the same content', () => {
    writeFileSync(project.path('data/a.txt'), 'one\ntwo\nthree\n');
    run('hello there', 'data/a.txt');
    expect(json<Why>('why', 'lineCount').causes.map(c => c.change)).toEqual(['content']);
    writeFileSync(project.path('data/b.txt'), 'one\ntwo\nthree\n');
    run('hello there', 'data/b.txt');
    expect(json<Why>('why', 'lineCount').causes.map(c => c.change)).toEqual(['path']);
  });

  it('tells the body, a callee and the version apart', () => {
    project.edit('src/job.ts', 'split(/\\s+/).length * scale', 'split(/\\s+/).length * scale * 1');
    run('hello there', 'data/b.txt');
    expect(json<Why>('why', 'countWords').causes.map(c => c.kind)).toEqual(['body']);

    project.edit('src/util.ts', 'text.trim().toLowerCase()', 'text.trim().toLowerCase().normalize()');
    run('hello there', 'data/b.txt');
    const callee = json<Why>('why', 'countWords').causes;
    expect(callee).toMatchObject([{ kind: 'callees', changed: [`${ROOT}src/util.ts#normalise`] }]);
    expect(callee[0]!.text).toBe(`its code changed: ${ROOT}src/util.ts#normalise changed`);

    project.edit('src/job.ts', '@mark version=1', '@mark version=2');
    run('hello there', 'data/b.txt');
    expect(json<Why>('why', 'countWords').causes).toMatchObject([{ kind: 'version', text: 'its version changed: "1" → "2"' }]);
  });

  it('prints the explanation as sentences, and fails for an unknown function', () => {
    const text = cli('why', 'countWords');
    expect(text.status).toBe(0);
    expect(text.stdout.startsWith(`${ROOT}src/job.ts#countWords: the latest miss (`)).toBe(true);
    expect(text.stdout).toMatch(/\) ran because, compared with the closest earlier entry \(/);
    expect(text.stdout).toContain('  - its version changed: "1" → "2"');
    const unknown = cli('why', 'nothing');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no function "nothing" has entries in this cache');
  });
});

describe('ls, show, stats', () => {
  it('ls lists entries newest first, filtered by function and tag, with --limit', () => {
    const all = json<{ total: number; entries: { fn: string; createdAt: number; tags: string[] }[] }>('ls');
    expect(all.total).toBe(all.entries.length);
    expect(all.entries.map(e => e.createdAt)).toEqual([...all.entries.map(e => e.createdAt)].sort((a, b) => b - a));
    const files = json<typeof all>('ls', '--tag', 'files');
    expect(files.entries.length).toBeGreaterThan(0);
    expect(files.entries.every(e => e.fn === `${ROOT}src/job.ts#lineCount` && e.tags.includes('files'))).toBe(true);
    expect(json<typeof all>('ls', '--fn', 'countWords', '--limit', '2').entries).toHaveLength(2);
    const table = cli('ls', '--limit', '1');
    expect(table.stdout.split('\n')[0]).toMatch(/^FUNCTION\s+KEY\s+SIZE\s+AGE\s+ACCESSED\s+TTL\s+COMPUTE\s+TAGS$/);
    expect(table.stdout).toMatch(/\(1 of \d+; --limit N for more\)/);
  });

  it('show finds an entry by a key prefix, and lists the candidates of an ambiguous one', () => {
    const [entry] = json<{ entries: { key: string; fn: string }[] }>('ls', '--fn', 'lineCount', '--limit', '1').entries;
    const shown = json<{ key: string; fn: string; value: string; args: [string, string][] }>('show', entry!.key.slice(0, 10));
    expect(shown.key).toBe(entry!.key);
    expect(shown.value).toBe('4');
    expect(shown.args.map(([name]) => name)).toEqual(['file']);
    expect(shown.args[0]![1]).toMatch(/^[0-9a-f]{8}\/[0-9a-f]{8}$/);
    const ambiguous = cli('show', '');
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr).toMatch(/is the start of \d+ keys; give more of one/);
    expect(cli('show', 'nope!').status).toBe(1);
  });

  it('stats sums hits and misses per function', () => {
    run('hello there', 'data/b.txt'); // all hits
    const stats = json<{ spots: { functions: { fn: string; hits: number; misses: number; entries: number }[] }[] }>('stats');
    const count = stats.spots[0]!.functions.find(f => f.fn === `${ROOT}src/job.ts#countWords`)!;
    expect(count).toMatchObject({ misses: 5, entries: 5 });
    expect(count.hits).toBeGreaterThanOrEqual(3);
    expect(cli('stats').stdout).toMatch(/^FUNCTION\s+ENTRIES\s+SIZE\s+HITS\s+MISSES\s+HIT RATE\s+SAVED$/m);
  });
});

describe('read commands while a pipeline writes', () => {
  it('ls and stats answer while another process writes the cache, which is never blocked', async () => {
    const writer = spawn(process.execPath, ['--input-type=module', '-e', `
      import { mark } from ${JSON.stringify(join(REPO, 'dist', 'runtime', 'index.js'))};
      const square = mark(n => n * n, { name: 'square' });
      for (let i = 0; i < 3000; i++) square(i);
      console.log('done');
    `], { cwd: project.dir, env: { ...process.env, ...QUIET, BEAUTYSPOT_DIR: project.cacheDir } });
    let out = '';
    let err = '';
    writer.stdout.on('data', d => (out += d));
    writer.stderr.on('data', d => (err += d));
    const exited = new Promise<number | null>(done => writer.on('exit', done));
    let reads = 0;
    let finished = false;
    void exited.then(() => (finished = true));
    while (!finished || reads < 2) {
      expect(cli('ls', '--fn', 'square', '--limit', '5').status).toBe(0);
      expect(cli('stats', '--json').status).toBe(0);
      reads++;
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(await exited).toBe(0);
    expect(out.trim()).toBe('done');
    expect(err).toBe('');
    expect(json<{ total: number }>('ls', '--fn', 'square', '--limit', '1').total).toBe(3000);
  });
});

describe('clear, prune, gc', () => {
  it('clear asks unless --yes, refuses without a terminal, and deletes by tag', () => {
    const refused = cli('clear', '--tag', 'files');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Pass --yes to confirm');
    const before = json<{ total: number }>('ls').total;
    const files = json<{ total: number }>('ls', '--tag', 'files').total;
    expect(json<{ deleted: { entries: number }[] }>('clear', '--tag', 'files', '--yes').deleted[0]!.entries).toBe(files);
    expect(json<{ total: number }>('ls').total).toBe(before - files);
  });

  it('prune deletes by age, gc runs, and usage errors exit 2', () => {
    expect(json<{ deleted: unknown[] }>('prune', '--older-than', '30d', '--yes').deleted).toEqual([]);
    expect(json<{ spot: string; expired: number }[]>('gc')[0]).toMatchObject({ spot: 'default', expired: 0 });
    const bad = cli('prune', '--older-than', 'soon');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('a duration like "30s"');
    expect(cli('ls', '--no-such-option').status).toBe(2);
    expect(cli('ls', '--help').status).toBe(0);
  });
});
