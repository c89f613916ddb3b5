// Trial "run": start-up of `beautyspot run script.ts` (node dist/src/cli.js run) for a script with one
// `/** @mark */` function, vs `node --import tsx script.ts` on the same script (tsx ignores the annotation: its
// body runs). The script is generated under `<repo>/.tmp/`, a package of its own (so the loader's compile cache is
// the script's node_modules/.cache/beautyspot/loader), with BEAUTYSPOT_DIR pointing at a spot directory that an
// earlier run filled, so the marked function hits. Kinds, spawned in rotating order after one warm-up round:
//   warm  the loader's compile cache holds the script (the compiler is not loaded) and the call hits;
//   cold  the compile cache removed before the run (the loader loads the compiler and compiles the script);
//   tsx   node --import tsx (tsx's own transform cache is warm after the warm-up round);
//   edited  a copy of the script (edited.ts) edited before the run (a new comment line at its end, so the compile
//         cache misses and the call still hits), with the compile service on and warm: the loader asks it instead
//         of loading ts-morph.
// The service is off (BEAUTYSPOT_COMPILE_SERVICE=0) for the other kinds; the trial's services live under a TMPDIR
// of its own and are killed at the end.
//   bare  node -e '' (what any node process costs: the floor the warm run is measured over).
// Every run's output is checked: beautyspot's serve the result without running the body, tsx's run it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { runChild } from '../lib/child.js';
import { ownPackage, REPO, scratchDir } from '../lib/project.js';
import { privateServices } from '../lib/service.js';
import { median } from '../lib/timing.js';

const CLI = join(REPO, 'dist', 'src', 'cli.js');
const BODY_RAN = 'body ran';
const RESULT = 'bench × 3';

const SCRIPT = `/** @mark */
export function greet(name: string, times: number): string {
  console.log(${JSON.stringify(BODY_RAN)});
  return \`\${name} × \${times}\`;
}

console.log(greet('bench', 3));
`;

runChild(async ({ spawns }) => {
  const dir = scratchDir('bench-run-');
  const spots = mkdtempSync(join(os.tmpdir(), 'beautyspot-bench-run-'));
  const services = privateServices();
  let edits = 0;
  try {
    const loaderCache = join(ownPackage(dir), 'loader');
    writeFileSync(join(dir, 'script.ts'), SCRIPT);
    const env = { ...process.env, BEAUTYSPOT_DIR: spots, ...services.env(false) };
    delete env.DEBUG;
    const spawn = (args, extraEnv = {}) => {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, args, { cwd: dir, env: { ...env, ...extraEnv }, encoding: 'utf8' });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (child.status !== 0) throw new Error(`run: node ${args.join(' ')} exited ${child.status}: ${child.stderr.trim().slice(-300)}`);
      return { ms, out: child.stdout, err: child.stderr };
    };
    const kinds = {
      warm: { args: [CLI, 'run', 'script.ts'], bodyRuns: false },
      cold: { args: [CLI, 'run', 'script.ts'], bodyRuns: false, before: () => rmSync(loaderCache, { recursive: true, force: true }) },
      tsx: { args: ['--import', 'tsx', 'script.ts'], bodyRuns: true },
      edited: {
        args: [CLI, 'run', 'edited.ts'],
        bodyRuns: false,
        env: services.env(true),
        before: () => writeFileSync(join(dir, 'edited.ts'), `${SCRIPT}// edit ${++edits}\n`),
      },
      bare: { args: ['-e', ''], prints: [] },
    };
    const checked = (name, run) => {
      const lines = run.out.trim().split('\n');
      const expected = kinds[name].prints ?? (kinds[name].bodyRuns ? [BODY_RAN, RESULT] : [RESULT]);
      if (JSON.stringify(lines.filter(Boolean)) !== JSON.stringify(expected)) throw new Error(`run ${name}: printed ${JSON.stringify(lines)}, expected ${JSON.stringify(expected)}`);
      return run;
    };

    // Fill the spot and the compile cache, and check (with the loader's debug log) that the second run takes
    // the script from the compile cache and the call hits.
    const debug = { DEBUG: 'beautyspot:loader' };
    const first = spawn(kinds.warm.args, debug);
    const second = spawn(kinds.warm.args, debug);
    if (!first.out.includes(BODY_RAN) || !/compiled .*script\.ts/.test(first.err)) throw new Error(`run setup: the first run did not compile and miss: ${first.err.trim()}`);
    if (!/from cache .*script\.ts/.test(second.err)) throw new Error(`run setup: the second run did not take the script from the compile cache: ${second.err.trim()}`);
    checked('warm', second);
    // Fill edited.ts's spot and start the service; once its program is built, check that it compiles an edit.
    kinds.edited.before();
    spawn(kinds.edited.args, kinds.edited.env);
    await services.warm();
    kinds.edited.before();
    const served = spawn(kinds.edited.args, { ...kinds.edited.env, ...debug });
    if (!/compiled .*edited\.ts by the compile service/.test(served.err)) throw new Error(`run setup: the compile service did not compile the edited script: ${served.err.trim()}`);
    checked('edited', served);

    const names = Object.keys(kinds);
    const wall = Object.fromEntries(names.map(n => [n, []]));
    for (let i = -1; i < spawns; i++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(k + Math.max(i, 0)) % names.length];
        kinds[name].before?.();
        const run = checked(name, spawn(kinds[name].args, kinds[name].env));
        if (name === 'cold' && !existsSync(loaderCache)) throw new Error(`run cold: the loader wrote no compile cache in ${loaderCache}`);
        if (i >= 0) wall[name].push(run.ms);
      }
    }
    return Object.fromEntries([
      ...names.map(n => [n, { ms: median(wall[n]), min: Math.min(...wall[n]), max: Math.max(...wall[n]), runs: wall[n] }]),
      ['spawns', spawns],
    ]);
  } finally {
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(spots, { recursive: true, force: true });
  }
});
