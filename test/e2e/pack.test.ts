import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './fixture-project.js';

// End to end: the package as a user installs it. A fresh copy of this repository is packed with `npm pack`
// (which builds dist/ through the `prepare` script) and the tarball is installed with `npm install` into a new
// project outside the repository (fixtures/installed), compiling better-sqlite3 from source. That project then
// runs a marked script with `npx beautyspot run` and with `node --import beautyspot/register`, and type-checks a
// file that imports every entry point with `skipLibCheck: false`.
//
// The copy is a `git clone` of the committed HEAD with the working tree laid over it (tracked files as they are
// now, untracked files that are not ignored, and files deleted in the working tree deleted): what is about to be
// committed, never what only this checkout has (dist/, .tmp/, ignored files). The build needs the dev
// dependencies, so the copy links this repository's node_modules.

/** The packages the user's project installs beside the tarball, at the versions this repository has. */
const USER_DEV_PACKAGES = ['@types/node', 'vite', 'esbuild', 'rollup', 'rolldown', 'webpack', '@rspack/core', 'redis', '@aws-sdk/client-s3'];
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
/** Child processes use the node running the tests (and npm's scripts, through PATH, too). */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

interface PackResult {
  filename: string;
  files: { path: string }[];
}

/** Runs a command to completion; a missing command or a failure throws with what it printed. */
function run(command: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}): string {
  const result = spawnSync(command, args, { cwd, env: { ...ENV, ...env }, encoding: 'utf8', timeout: 420_000 });
  const line = `${command} ${args.join(' ')} (in ${cwd})`;
  if (result.error) throw new Error(`${line} could not run: ${result.error.message}. This test needs git, npm and npx on PATH.`);
  if (result.status !== 0) throw new Error(`${line} exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** A copy of what is about to be committed, in `dir`: a clone of HEAD with the working tree laid over it. */
function freshCopy(dir: string): void {
  run('git', ['init', '--quiet', dir], REPO);
  run('git', ['fetch', '--quiet', '--depth=1', REPO, 'HEAD'], dir);
  run('git', ['checkout', '--quiet', 'FETCH_HEAD'], dir);
  const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], REPO).split('\0').filter(Boolean);
  for (const file of files) {
    const target = join(dir, file);
    if (!existsSync(join(REPO, file))) {
      rmSync(target, { force: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    cpSync(join(REPO, file), target, { verbatimSymlinks: true });
  }
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(join(REPO, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The JSON line fixtures/installed/script.ts prints. */
function report(stdout: string): { result: number; ran: boolean } {
  const line = stdout.split('\n').find(l => l.startsWith('{'));
  if (!line) throw new Error(`the script printed no report:\n${stdout}`);
  return JSON.parse(line) as { result: number; ran: boolean };
}

describe('the packed package, installed from its tarball', () => {
  let temp: string;
  let user: string;
  let pack: PackResult;

  beforeAll(() => {
    temp = mkdtempSync(join(tmpdir(), 'beautyspot-pack-'));
    const clone = join(temp, 'clone');
    freshCopy(clone);
    symlinkSync(realpathSync(join(REPO, 'node_modules')), join(clone, 'node_modules'));
    pack = (JSON.parse(run('npm', ['pack', '--json', '--pack-destination', temp], clone)) as PackResult[])[0]!;

    user = join(temp, 'user');
    cpSync(join(REPO, 'fixtures', 'installed'), user, { recursive: true });
    const devPackages = USER_DEV_PACKAGES.map(p => `${p}@${version(p)}`);
    run('npm', ['install', ...NPM_FLAGS, join(temp, pack.filename), ...devPackages], user);
  }, 480_000);
  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('the tarball holds dist/, the sources its maps point at, README.md and LICENSE, and no tests', () => {
    const files = pack.files.map(f => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/plugin/loader/register.js', 'dist/src/cli.js',
      'dist/runtime/redis/index.js', 'dist/runtime/s3/index.js', 'dist/runtime/remote/bridge-worker.js', 'dist/runtime/remote/bridge-protocol.js']));
    expect(files.filter(f => /^(test|\.tmp|fixtures|bench|examples|scripts|node_modules)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f))).toEqual([]);
    // Besides dist/, exactly the sources that the source maps name.
    const mapped = new Set<string>();
    for (const map of files.filter(f => f.endsWith('.js.map'))) {
      const { sources } = JSON.parse(readFileSync(join(user, 'node_modules/beautyspot', map), 'utf8')) as { sources: string[] };
      for (const source of sources) mapped.add(resolve('/', dirname(map), source).slice(1));
    }
    const shipped = files.filter(f => !f.startsWith('dist/') && !['LICENSE', 'README.md', 'package.json'].includes(f));
    expect(shipped.sort()).toEqual([...mapped].sort());
  });

  it('npx beautyspot run: the second run is a hit', () => {
    const cold = report(run('npx', ['--no', 'beautyspot', 'run', 'script.ts'], user));
    const warm = report(run('npx', ['--no', 'beautyspot', 'run', 'script.ts'], user));
    expect(cold).toEqual({ result: 6, ran: true });
    expect(warm).toEqual({ result: 6, ran: false });
    // The default cache directory, in the project.
    expect(existsSync(join(user, '.beautyspot'))).toBe(true);
  });

  it('node --import beautyspot/register: the second run is a hit', () => {
    const env = { BEAUTYSPOT_DIR: join(user, '.register-cache') };
    const cold = report(run(process.execPath, ['--import', 'beautyspot/register', 'script.ts'], user, env));
    const warm = report(run(process.execPath, ['--import', 'beautyspot/register', 'script.ts'], user, env));
    expect(cold).toEqual({ result: 6, ran: true });
    expect(warm).toEqual({ result: 6, ran: false });
  });

  it('a user file importing every entry point type-checks with skipLibCheck: false and no @types/better-sqlite3', () => {
    expect(existsSync(join(user, 'node_modules/@types/better-sqlite3'))).toBe(false);
    expect(lstatSync(join(user, 'node_modules/beautyspot')).isDirectory()).toBe(true);
    const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', user], { cwd: user, env: ENV, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
