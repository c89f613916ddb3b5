import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInTerminal, screenOf, type TerminalRun } from '../helpers/terminal.js';
import { FixtureProject, REPO, type ProcessResult } from './fixture-project.js';

// `beautyspot run` on a real pseudo-terminal and on pipes: fixtures/progress-script calls a slow async function
// three times (300 ms each), then a sync one limited to 300 a minute three times (two waits of about 200 ms),
// and writes a line of its own on stderr between them.

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const ENV = { DEBUG: '', BEAUTYSPOT_SUMMARY: '', BEAUTYSPOT_PROGRESS: '', BEAUTYSPOT_ACCESS: '', TERM: 'xterm' };
const OUTPUT = '{"squares":[1,4,9],"pings":["pong 1","pong 2","pong 3"]}';
const OWN_LINE = '[progress-script] halfway';
const COLD_SUMMARY = /^\[beautyspot\] progress: 0 hits, 6 misses, \d+ B written, saved 0 ms$/;
const WARM_SUMMARY = /^\[beautyspot\] progress: 6 hits, 0 misses, 0 B written, saved (9\d\d ms|\d\.\d s)$/;

describe('beautyspot run on a terminal', () => {
  let project: FixtureProject;
  let cold: TerminalRun;
  let warm: TerminalRun;
  const inTerminal = (args: string[], env: Record<string, string> = {}): TerminalRun =>
    runInTerminal([process.execPath, CLI, 'run', ...args], { cwd: project.dir, env: { ...process.env, ...ENV, BEAUTYSPOT_DIR: project.cacheDir, ...env } });

  beforeAll(() => {
    project = FixtureProject.create('progress', 'progress-script');
    cold = inTerminal([project.path('src/main.ts'), '--exit', '3']);
    warm = inTerminal([project.path('src/main.ts'), '--exit', '3']);
  }, 120_000);
  afterAll(() => project?.remove());

  it('shows a live status line with the counts, the function running and for how long, and the rate-limit waits', () => {
    const drawn = cold.raw.split('\r\x1b[2K').map(s => s.split('\r\n')[0]!).filter(s => s.startsWith('[beautyspot] ') && s.includes(' · '));
    expect(drawn.length, cold.raw).toBeGreaterThan(3);
    expect(drawn.some(s => /^\[beautyspot\] \d calls?: 0 hits, \d miss(es)? · saved 0 ms · running for \d+ ms: \S+\/src\/main\.ts#slowSquare$/.test(s)), drawn.join('\n')).toBe(true);
    // The time a running body has taken grows while it runs (the line is redrawn during the 300 ms of each).
    const times = new Set(drawn.map(s => /running for (\d+) ms: \S+#slowSquare/.exec(s)?.[1]).filter(Boolean));
    expect(times.size).toBeGreaterThan(1);
    expect(drawn.some(s => /· 2 rate-limit waits \(\d+ ms\)/.test(s)), drawn.join('\n')).toBe(true);
    // A sync call's wait blocks the redraw timer: a wait that long is drawn when it begins.
    expect(drawn.some(s => /· waiting \d+ ms for the rate limit: \S+\/src\/main\.ts#ping$/.test(s)), drawn.join('\n')).toBe(true);
    for (const line of drawn) expect(line.length).toBeLessThan(200);
  });

  it("clears the line before the script's own output, and at exit leaves the script's lines and the summary", () => {
    expect(cold.raw).toContain(`\r\x1b[2K${OWN_LINE}`);
    const screen = screenOf(cold.raw);
    expect(screen.slice(0, 2)).toEqual([OWN_LINE, OUTPUT]);
    expect(screen.slice(2)).toHaveLength(1);
    expect(screen[2]).toMatch(COLD_SUMMARY);
  });

  it("a warm run shows the hits and the time saved; the script's exit code is the process's", () => {
    expect(warm.raw).toContain('[beautyspot] 1 call: 1 hit, 0 misses · saved 3');
    const screen = screenOf(warm.raw);
    expect(screen.slice(0, 2)).toEqual([OWN_LINE, OUTPUT]);
    expect(screen[2]).toMatch(WARM_SUMMARY);
    expect(screen).toHaveLength(3);
    expect(cold.status).toBe(3);
    expect(warm.status).toBe(3);
  });

  it('--quiet and BEAUTYSPOT_PROGRESS=0 show neither the line nor the summary', () => {
    for (const run of [inTerminal(['--quiet', project.path('src/main.ts')]), inTerminal([project.path('src/main.ts')], { BEAUTYSPOT_PROGRESS: '0' })]) {
      expect(run.raw).not.toContain('\x1b');
      expect(screenOf(run.raw)).toEqual([OWN_LINE, OUTPUT]);
      expect(run.status).toBe(0);
    }
  });

  it('an uncaught error: the summary (Node emits exit first), then the error on lines of their own', () => {
    const failed = inTerminal([project.path('src/main.ts'), '--fail']);
    expect(failed.status).toBe(1);
    const screen = screenOf(failed.raw);
    const summary = screen.findIndex(line => WARM_SUMMARY.test(line));
    expect(screen.slice(0, summary)).toEqual([OWN_LINE, OUTPUT]);
    expect(screen[summary + 1]).toBe(`${project.path('src/main.ts')}:30`);
    expect(screen).toContain('Error: the script failed on purpose');
  });
});

describe('beautyspot run on a pipe', () => {
  let project: FixtureProject;
  const piped = (args: string[], env: Record<string, string> = {}): ProcessResult =>
    project.spawn([CLI, 'run', ...args], { ...ENV, ...env });

  beforeAll(() => {
    project = FixtureProject.create('progress-pipe', 'progress-script');
  });
  afterAll(() => project?.remove());

  it("prints only the summary, after the script's own output, with no escape sequences", () => {
    const cold = piped([project.path('src/main.ts')]);
    expect(cold.stdout).toBe(`${OUTPUT}\n`);
    const lines = cold.stderr.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(OWN_LINE);
    expect(lines[1]).toMatch(COLD_SUMMARY);
    expect(lines[2]).toBe('');
    expect(cold.status).toBe(0);
  }, 60_000);

  it('the summary option and BEAUTYSPOT_SUMMARY=1 do not print it twice; with --quiet they print the runtime\'s own line', () => {
    const asked = piped([project.path('src/main.ts')], { BEAUTYSPOT_SUMMARY: '1' });
    expect(asked.stderr.split('\n').filter(l => l.startsWith('[beautyspot] '))).toEqual([expect.stringMatching(WARM_SUMMARY)]);
    const quiet = piped(['--quiet', project.path('src/main.ts')], { BEAUTYSPOT_SUMMARY: '1' });
    expect(quiet.stderr.split('\n').filter(l => l.startsWith('[beautyspot] '))).toEqual([expect.stringMatching(WARM_SUMMARY)]);
    const off = piped([project.path('src/main.ts')], { BEAUTYSPOT_PROGRESS: '0' });
    expect(off.stderr).toBe(`${OWN_LINE}\n`);
  }, 60_000);
});
