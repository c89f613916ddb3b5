import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** The JSON line the fixture's main.ts prints. */
export interface PipelineReport {
  verbose: boolean;
  results: {
    words: { alpha: number; beta: number };
    summaries: string[];
    headlines: string[];
    score: number;
    record: { name: string; quantity: number };
  };
  /** Marked bodies that produced a result in that process, by call. */
  ran: Record<string, number>;
  /** The stack of the error a marked function threw. */
  failure: string;
}

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A copy of fixtures/pipeline under `<repo>/.tmp/` (so `beautyspot` resolves to this repository by package
 * self-reference) with its own cache directory. `snapshot()` saves the copy (sources, build output, cache)
 * and `restore()` puts it back at the same path, so scenarios start from one warm build without rebuilding.
 */
export class FixtureProject {
  readonly cacheDir: string;
  private readonly saved: string;

  private constructor(readonly dir: string) {
    this.cacheDir = join(dir, '.cache');
    this.saved = `${dir}.saved`;
  }

  /** A fresh copy of `fixtures/<fixture>` (fixtures/pipeline unless told). */
  static create(label: string, fixture = 'pipeline'): FixtureProject {
    const parent = join(REPO, '.tmp');
    mkdirSync(parent, { recursive: true });
    const project = new FixtureProject(mkdtempSync(join(parent, `e2e-${label}-`)));
    cpSync(join(REPO, 'fixtures', fixture), project.dir, { recursive: true });
    return project;
  }

  path(relative: string): string {
    return join(this.dir, relative);
  }

  read(relative: string): string {
    return readFileSync(this.path(relative), 'utf8');
  }

  /** Rewrites one file; fails when the edit would change nothing (the fixture no longer has that text). */
  edit(relative: string, search: string, replacement: string): void {
    const text = this.read(relative);
    if (!text.includes(search)) throw new Error(`${relative} does not contain ${JSON.stringify(search)}`);
    writeFileSync(this.path(relative), text.replace(search, replacement));
  }

  /** 1-based line and column of the first occurrence of `needle` in a file. */
  position(relative: string, needle: string): { line: number; col: number } {
    const text = this.read(relative);
    const index = text.indexOf(needle);
    if (index < 0) throw new Error(`${relative} does not contain ${JSON.stringify(needle)}`);
    const before = text.slice(0, index).split('\n');
    return { line: before.length, col: before[before.length - 1]!.length + 1 };
  }

  /** Runs node in a fresh process, in the project directory, with the project's cache. */
  spawn(args: string[], env: Record<string, string> = {}): ProcessResult {
    const result = spawnSync(process.execPath, args, {
      cwd: this.dir,
      env: { ...process.env, BEAUTYSPOT_DIR: this.cacheDir, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Runs the program and parses its report; a failing run throws with its stderr. */
  run(args: string[], env: Record<string, string> = {}): PipelineReport & { stderr: string } {
    const result = this.spawn(args, env);
    const line = result.stdout.split('\n').reverse().find(l => l.startsWith('{'));
    if (result.status !== 0 || !line) {
      throw new Error(`the pipeline exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
    }
    return { ...(JSON.parse(line) as PipelineReport), stderr: result.stderr };
  }

  snapshot(): void {
    rmSync(this.saved, { recursive: true, force: true });
    cpSync(this.dir, this.saved, { recursive: true });
  }

  restore(): void {
    rmSync(this.dir, { recursive: true, force: true });
    cpSync(this.saved, this.dir, { recursive: true });
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.saved, { recursive: true, force: true });
  }
}
