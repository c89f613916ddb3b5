import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixtureProject, REPO, type ProcessResult } from '../e2e/fixture-project.js';
import { requireRedis, startRedis, type RedisServer } from '../helpers/redis-servers.js';
import { createBucket, sharedSwift } from '../helpers/shared-swift.js';
import { codeBlocks, type CodeBlock } from './readme-blocks.js';

// Every code block of README.md is checked here, so that none can rot:
// - TypeScript examples run as scripts with the Node loader, twice in fresh processes: both runs succeed and
//   print nothing on stderr (no diagnostic, no warning), and the second is served from the cache. All of them,
//   and the TypeScript configs, type-check with tsc.
// - Bundler configs build fixtures/readme/src/main.ts (a marked function) and the output runs twice the same way.
// - Shell commands run in the temp project; repository commands are checked against package.json and the bench.
// - The diagnostics are what the compiler prints for fixtures/readme/src/crawl.ts, line for line.
// - The output sample is compared with a run of the demo pipeline.
// A block no test claims fails the last test, so a new example cannot escape. Each temp project is a copy of
// fixtures/readme under <repo>/.tmp/, so `beautyspot` resolves to this repository by self-reference.

const README_TEXT = readFileSync(join(REPO, 'README.md'), 'utf8');
const README = codeBlocks(README_TEXT);
const REGISTER = join(REPO, 'dist', 'plugin', 'loader', 'register.js');
const CLI = join(REPO, 'dist', 'src', 'cli.js');
const bin = (path: string): string => join(REPO, 'node_modules', path);
/** No debug output, exit summary or access mode from the environment the tests run in. */
const QUIET = { DEBUG: '', BEAUTYSPOT_SUMMARY: '', BEAUTYSPOT_ACCESS: '', BEAUTYSPOT_PROGRESS: '0' };

/** The blocks the tests below check. */
const claimed = new Set<string>();

/**
 * The README block of that id, for a test that checks it. `first` pins the start of its first line: a block
 * inserted before it shifts the ids, which fails here instead of running the wrong block or passing a new one
 * off as checked.
 */
function claim(id: string, first: string): CodeBlock {
  const block = README.find(b => b.id === id);
  if (!block) throw new Error(`README.md has no code block "${id}": update test/docs/readme.test.ts`);
  const line = block.code.split('\n')[0];
  if (!line?.startsWith(first)) {
    throw new Error(`README.md block "${id}" (line ${block.line}) starts with ${JSON.stringify(line)}, not ${JSON.stringify(first)}…: ` +
      'a block was added or moved, update test/docs/readme.test.ts');
  }
  claimed.add(id);
  return block;
}

const slug = (id: string): string => id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** Replaces the one occurrence of `search`; fails when the block no longer contains it. */
function substitute(code: string, search: string, replacement: string): string {
  if (code.split(search).length !== 2) throw new Error(`the README block should contain ${JSON.stringify(search)} once:\n${code}`);
  return code.replace(search, () => replacement);
}

/** The line fixtures/readme/src/report.ts prints (and the entries that cannot import it print alike). */
interface Report {
  results: unknown[];
  spots: Record<string, { hits: number; misses: number }>;
}

function reportOf(run: ProcessResult, what: string): Report {
  const line = run.stdout.split('\n').find(l => l.startsWith('[readme] '));
  if (run.status !== 0 || !line || run.stderr !== '') {
    throw new Error(`${what} exited with ${run.status}:\n${run.stderr}\n${run.stdout}`);
  }
  return JSON.parse(line.slice('[readme] '.length)) as Report;
}

/** Runs node twice in fresh processes with one cache directory; each run must succeed with nothing on stderr. */
function twice(project: FixtureProject, args: string[], cacheDir: string): [Report, Report] {
  const run = () => reportOf(project.spawn(args, { ...QUIET, BEAUTYSPOT_DIR: project.path(cacheDir) }), `node ${args.join(' ')}`);
  return [run(), run()];
}

/** Both runs returned the same, the first computed something, and every call of the second was a hit. */
function expectSecondRunFromCache([first, second]: [Report, Report]): void {
  expect(Object.values(first.spots).some(s => s.misses > 0)).toBe(true);
  expect(second.results).toEqual(first.results);
  const allHits = Object.fromEntries(Object.entries(first.spots).map(([name, s]) => [name, { hits: s.hits + s.misses, misses: 0 }]));
  expect(second.spots).toEqual(allHits);
}

interface Script {
  block: CodeBlock;
  /** What the block uses without defining it, put before it (kept minimal: a stand-in a reader would not miss). */
  prelude?: string;
  /** Calls of what the block defines, appended after it; `report` prints what they returned. */
  exercise: string;
}

/** The TypeScript examples of the annotation and the runtime API. */
const SCRIPTS: Script[] = [
  {
    block: claim('beautyspot #1', "import { readFile } from 'node:fs/promises';"),
    prelude: 'const callTheExpensiveApi = async (text: string, model: string) => `${model}: ${text.length} characters`;',
    // The second call differs only in the ignored parameter: a hit in the first run already.
    exercise: `report([
  await summarize('data/lighthouse.txt', 'small', false),
  await summarize('data/lighthouse.txt', 'small', true),
  await summarize('data/station.txt', 'large', false),
]);`,
  },
  {
    block: claim('The annotation #1', "import { readFile } from 'node:fs/promises';"),
    // key=[url, opts.depth] leaves onPage out: the third call is a hit in the first run already.
    exercise: `report([
  new TextDecoder().decode(await render('data/lighthouse.txt', false)),
  await crawl('data:text/plain,a page', { depth: 1 }),
  await crawl('data:text/plain,a page', { depth: 1, onPage: () => {} }),
]);`,
  },
  {
    block: claim('Caching a function at run time #1', "import { mark, cachedRun } from 'beautyspot';"),
    prelude: '// Stands for a function from a library.\n' +
      'const runSimulation = (config: { steps: number }) => Array.from({ length: config.steps }, (_, i) => i * i);\n' +
      'const config = { steps: 4 };',
    // The block already calls simulate(config) once: this call is a hit in the first run.
    exercise: "report([await fetchPage('data:text/plain,hello'), simulate(config)]);",
  },
  {
    block: claim('Class methods at run time #1', "import { getSpot, keyHook } from 'beautyspot';"),
    // An equal instance has an equal key: a hit in the first run already.
    exercise: `report([
  await new Model('small', 0.2).complete('hello'),
  await new Model('small', 0.2).complete('hello'),
  await Model.embed('two words'),
]);`,
  },
  {
    block: claim('Values #1', "import { registerType } from 'beautyspot';"),
    exercise: `import { mark } from 'beautyspot';
const corner = mark(function corner(size: number) { return new Point(size, size); });
const point = corner(3);
report([point instanceof Point, point.x, point.y]);`,
  },
  {
    block: claim('Spots #1', "import { defineSpot, mark } from 'beautyspot';"),
    exercise: "report([await complete('Why is the sky blue?'), await classify('Why is the sky blue?')]);",
  },
  {
    block: claim('Events #1', "import { defineSpot, mark } from 'beautyspot';"),
    exercise: "report([await define('lighthouse'), await define('lighthouse')]);",
  },
];

function scriptText({ block, prelude, exercise }: Script): string {
  return [
    ...(prelude ? [`// Prelude (test/docs/readme.test.ts)\n${prelude}`] : []),
    `// README.md: ${block.id}\n${block.code}`,
    `// Calls (test/docs/readme.test.ts)\nimport { report } from '../src/report.js';\n${exercise}`,
  ].join('\n\n') + '\n';
}

interface Bundler {
  name: string;
  block: CodeBlock;
  /** The config file the block becomes, in the bundler's own copy of fixtures/readme. */
  file: string;
  /** The block's text as built: the only changes are the ones made here. */
  config?: (code: string) => string;
  /** The build's node arguments, run in the copy; every output goes to dist/. */
  build: string[];
}

const STRIP_TYPES_LOADER = join(REPO, 'test', 'e2e', 'strip-types-loader.mjs');
const WEBPACK_BUILD = join(REPO, 'test', 'docs', 'webpack-build.mjs');
const WEBPACK_BLOCK = claim('Set-up #6', '// webpack.config.js');

/** rolldown's set-up is a sentence, not a block: "`plugins: [beautyspot()]` (`import beautyspot from 'beautyspot/rolldown'`)". */
function rolldownConfig(): CodeBlock {
  const sentence = /^\*\*rolldown\*\*.*`(plugins: \[[^`]*\])` \(`(import [^`]*)`\)/m.exec(README_TEXT);
  if (!sentence) throw new Error('README.md no longer has the rolldown sentence: update test/docs/readme.test.ts');
  const code = `${sentence[2]};\n\nexport default { input: 'src/main.ts', ${sentence[1]} };\n`;
  return { id: 'the rolldown sentence of Set-up', lang: 'js', code, line: README_TEXT.slice(0, sentence.index).split('\n').length };
}

const BUNDLERS: Bundler[] = [
  {
    name: 'vite',
    block: claim('Set-up #2', '// vite.config.ts'),
    file: 'vite.config.ts',
    // The block names no entry: --ssr gives it (a build for node).
    build: [bin('vite/bin/vite.js'), 'build', '--ssr', 'src/main.ts', '--logLevel', 'warn'],
  },
  {
    name: 'esbuild',
    block: claim('Set-up #4', "import { build } from 'esbuild';"),
    file: 'build.ts',
    // A build script: run with the loader, which strips its types.
    build: ['--import', REGISTER, 'build.ts'],
  },
  {
    name: 'rollup',
    block: claim('Set-up #5', '// rollup.config.js'),
    file: 'rollup.config.js',
    build: [bin('rollup/dist/bin/rollup'), '-c', '--silent'],
  },
  {
    name: 'rolldown',
    block: rolldownConfig(),
    file: 'rolldown.config.js',
    build: [bin('rolldown/bin/cli.mjs'), '-c', 'rolldown.config.js'],
  },
  {
    name: 'webpack',
    block: WEBPACK_BLOCK,
    file: 'webpack.config.js',
    // esbuild-loader is not installed here: the e2e tests' esbuild loader does the same (strips types with esbuild).
    config: code => substitute(code, "'esbuild-loader'", JSON.stringify(STRIP_TYPES_LOADER)),
    build: [WEBPACK_BUILD, 'webpack', 'webpack.config.js'],
  },
  {
    name: 'rspack',
    block: WEBPACK_BLOCK,
    file: 'rspack.config.js',
    // What the block's first line says to change for rspack, and nothing else.
    config: code => substitute(substitute(code, "'beautyspot/webpack'", "'beautyspot/rspack'"), "'esbuild-loader'", "'builtin:swc-loader'"),
    build: [WEBPACK_BUILD, 'rspack', 'rspack.config.js'],
  },
];

const VITEST_BLOCK = claim('Set-up #3', '// vitest.config.ts');

/** Runs a test in a fresh copy of fixtures/readme of its own, removed afterwards. */
function inCopy(label: string, test: (copy: FixtureProject) => void): void {
  const copy = FixtureProject.create(`readme-${label}`, 'readme');
  try {
    test(copy);
  } finally {
    copy.remove();
  }
}

/** Where the scripts, the commands, the diagnostics and the demo run; each bundler builds in a copy of its own. */
let project: FixtureProject;
beforeAll(() => {
  project = FixtureProject.create('readme', 'readme');
  mkdirSync(project.path('blocks'));
  for (const script of [...SCRIPTS, SCALE_OUT]) writeFileSync(project.path(`blocks/${slug(script.block.id)}.ts`), scriptText(script));
  // The TypeScript configs are written beside the scripts too, for the type check (they run in their own copies).
  for (const block of [...BUNDLERS.map(b => b.block), VITEST_BLOCK]) {
    if (block.lang === 'ts') writeFileSync(project.path(`blocks/${slug(block.id)}.ts`), block.code);
  }
});
afterAll(() => project?.remove());

describe('TypeScript examples run twice with the Node loader: the second run is served from the cache', () => {
  for (const script of SCRIPTS) {
    it(script.block.id, () => {
      const file = `blocks/${slug(script.block.id)}.ts`;
      expectSecondRunFromCache(twice(project, ['--import', REGISTER, file], `.cache/${slug(script.block.id)}`));
    }, 60_000);
  }

  it('every TypeScript block type-checks with tsc (strict), scripts with their prelude and calls', () => {
    const tsc = project.spawn([bin('typescript/bin/tsc'), '-p', 'tsconfig.json']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  }, 60_000);
});

describe('bundler configs build a marked entry whose output runs twice, the second from the cache', () => {
  for (const bundler of BUNDLERS) {
    it(`${bundler.name}: ${bundler.block.id}${bundler.config ? ', changed only as the test notes' : ' as written'}`, () => inCopy(bundler.name, copy => {
      writeFileSync(copy.path(bundler.file), (bundler.config ?? (c => c))(bundler.block.code));
      const build = copy.spawn(bundler.build, QUIET);
      if (build.status !== 0) throw new Error(`the ${bundler.name} build exited with ${build.status}:\n${build.stderr}\n${build.stdout}`);
      const outputs = readdirSync(copy.path('dist')).filter(f => /\.m?js$/.test(f));
      expect(outputs).toHaveLength(1);
      const runs = twice(copy, [join('dist', outputs[0]!)], '.cache');
      expect(runs[0].results).toEqual([5, 5]);
      expectSecondRunFromCache(runs);
    }), 120_000);
  }

  it(`vitest: ${VITEST_BLOCK.id} as written runs fixtures/readme/test/word-count.test.ts twice`, () => inCopy('vitest', copy => {
    writeFileSync(copy.path('vitest.config.ts'), VITEST_BLOCK.code);
    const run = (): Report => {
      const result = copy.spawn([bin('vitest/vitest.mjs'), 'run'], QUIET);
      if (result.status !== 0) throw new Error(`vitest exited with ${result.status}:\n${result.stderr}\n${result.stdout}`);
      return JSON.parse(copy.read('vitest-report.json')) as Report;
    };
    expectSecondRunFromCache([run(), run()]);
  }), 120_000);
});

const SCALE_OUT: Script = {
  block: claim('Many processes, many machines #1', "import { defineSpot } from 'beautyspot';"),
  exercise: `import { mark } from 'beautyspot';
const render = mark(async function render(page: number) { return new Uint8Array(100_000).fill(page); });
const label = mark(function label(page: number) { return \`page \${page}\`; });
report([(await render(7)).length, label(7)]);`,
};

describe('the scale-out example, against a real Redis and S3 (Swift): a second machine is served from them', () => {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    if (requireRedis('readme')) redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
  });

  it(SCALE_OUT.block.id, async ctx => {
    const swift = await sharedSwift();
    if ('missing' in swift || !redis) return ctx.skip('needs redis-server and Swift');
    await createBucket(swift, 'my-cache');
    const code = substitute(substitute(SCALE_OUT.block.code, 'redis://127.0.0.1:6379/0', `${redis.url}/0`),
      "endpoint: 'http://127.0.0.1:9000'", `endpoint: '${swift.endpoint}'`);
    const file = 'blocks/scale-out-on-test-servers.ts';
    writeFileSync(project.path(file), scriptText({ ...SCALE_OUT, block: { ...SCALE_OUT.block, code } }));
    const env = {
      ...QUIET,
      AWS_ACCESS_KEY_ID: swift.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: swift.credentials.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    // Two machines: two cache directories, one Redis, one S3.
    const [a, b] = ['machine-a', 'machine-b'].map(machine =>
      reportOf(project.spawn(['--import', REGISTER, file], { ...env, BEAUTYSPOT_DIR: project.path(`.cache/${machine}`) }), `node ${file}`));
    expect(a!.results).toEqual([100_000, 'page 7']);
    expectSecondRunFromCache([a!, b!]);
  }, 120_000);
});

describe('the Set-up commands run src/pipeline.ts in the temp project, twice', () => {
  const block = claim('Set-up #1', 'npx beautyspot run ');
  const commands = block.code.split('\n').map(line => line.replace(/\s#.*$/, '').trim()).filter(Boolean);
  commands.forEach((command, index) => {
    it(command, () => {
      const [program, ...words] = command.split(/\s+/);
      expect(['npx beautyspot', 'node'], command).toContain(program === 'npx' ? `npx ${words[0]}` : program);
      // `npx beautyspot` is this repository's CLI (npx would look for the package in the registry).
      const args = program === 'npx' ? [CLI, ...words.slice(1)] : words;
      const runs = twice(project, args, `.cache/command-${index}`);
      expect(runs[0].results[0]).toEqual(words.slice(words.indexOf('src/pipeline.ts') + 1));
      expectSecondRunFromCache(runs);
    }, 60_000);
  });
});

describe('Looking into the cache: the commands on the demo pipeline\'s cache, and their output', () => {
  const commands = claim('Looking into the cache #1', 'npx beautyspot ls ');
  const sample = claim('Looking into the cache #2', '$ npx beautyspot stats');
  const env = (): Record<string, string> => ({ ...QUIET, BEAUTYSPOT_DIR: project.path('.cache/tools') });
  const cli = (args: string[]): ProcessResult => project.spawn([CLI, ...args], env());
  const ROOT = (): string => `${project.dir.slice(REPO.length).replace(/^\//, '')}/`;

  beforeAll(() => {
    // The demo pipeline copied into the project, run, its summarize body edited as the sample says, run again.
    cpSync(join(REPO, 'examples'), project.path('examples'), { recursive: true });
    const run = (): void => {
      const result = cli(['run', project.path('examples/pipeline.ts')]);
      if (result.status !== 0) throw new Error(`the demo exited with ${result.status}:\n${result.stderr}`);
    };
    run();
    project.edit('examples/pipeline.ts', "return style === 'short' ? sentences[0]! : sentences.slice(0, 2).join(' ');",
      "return style === 'short' ? sentences[0]!.trim() : sentences.slice(0, 2).join(' ');");
    run();
  }, 120_000);

  const lines = commands.code.split('\n').map(line => line.replace(/\s#.*$/, '').trim()).filter(Boolean);
  for (const command of lines) {
    it(`${command} exits 0`, () => {
      const words = command.split(/\s+/).slice(2);
      if (words[0] === 'show') {
        const latest = JSON.parse(cli(['ls', '--fn', 'summarize', '--limit', '1', '--json']).stdout) as { entries: { key: string }[] };
        words[1] = latest.entries[0]!.key.slice(0, 8);
      }
      const result = cli(words);
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).not.toBe('');
    }, 30_000);
  }

  it('prints what the sample shows, times, ages, keys and paths aside', () => {
    const normal = (text: string): string[] => text.split('\n').filter(Boolean).map(line => line
      .replaceAll(ROOT(), '')
      .replace(/^spot "demo" \(.*\)$/, 'spot "demo" (<file>)')
      .replace(/\d+(\.\d+)? (ms|s|min)\b/g, '<time>')
      .replace(/\d+[smhd] ago/g, '<age>')
      .replace(/key [A-Za-z0-9_-]{12}/g, 'key <key>')
      .replace(/\s+/g, ' ').trim());
    const [, ...parts] = sample.code.split(/^\$ npx beautyspot (.*)$/m);
    for (let i = 0; i < parts.length; i += 2) {
      const result = cli(parts[i]!.split(' '));
      expect(result.status, result.stderr).toBe(0);
      expect(normal(result.stdout), parts[i]).toEqual(normal(parts[i + 1]!));
    }
  }, 30_000);
});

describe('Dashboard', () => {
  const block = claim('Dashboard #1', '$ npx beautyspot ui');

  it('beautyspot ui prints the URL the sample shows (its own port and token), and stops on SIGINT', async () => {
    const [, printed] = block.code.split('\n');
    const shape = new RegExp(`^${printed!.replace(/[.?]/g, '\\$&').replace('8765', '\\d+').replace(/token=[0-9a-f]+/, 'token=[0-9a-f]{48}')}$`);
    const child = spawn(process.execPath, [CLI, 'ui', '--port', '0'], { cwd: project.dir, env: { ...process.env, ...QUIET, BEAUTYSPOT_DIR: project.path('.cache/tools') } });
    let out = '';
    child.stdout.on('data', d => (out += d));
    while (!out.includes('\n')) await new Promise(resolve => setTimeout(resolve, 50));
    expect(out.split('\n')[0]).toMatch(shape);
    child.kill('SIGINT');
    expect(await new Promise(resolve => child.on('exit', resolve))).toBe(0);
  }, 30_000);
});

describe('diagnostics', () => {
  const block = claim('Diagnostics #1', '[beautyspot] src/crawl.ts:');

  it('are what the compiler prints for fixtures/readme/src/crawl.ts, line for line', () => {
    const run = project.spawn(['--import', REGISTER, 'src/crawl.ts'], QUIET);
    expect(run.status).toBe(1);
    const printed = run.stderr.split('\n')
      .filter(line => line.includes('[beautyspot] src/crawl.ts:'))
      .map(line => line.slice(line.indexOf('[beautyspot] ')));
    expect(printed).toEqual(block.code.split('\n'));
  }, 60_000);
});

describe('repository commands (not run here: npm install must not, npm test is this suite, the bench takes minutes)', () => {
  const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const trials = [...readFileSync(join(REPO, 'bench', 'run.js'), 'utf8').matchAll(/^ {4}id: '(\w+)',$/gm)].map(m => m[1]);
  const blocks = [claim('Quick start #1', 'npm install'), claim('Development #1', 'npm test ')];

  for (const block of blocks) {
    it(`${block.id}: each npm command is a script of package.json, each BENCH_ONLY trial one of the bench`, () => {
      for (const line of block.code.split('\n')) {
        const [, env = '', command = '', comment = ''] = /^((?:\w+=\S+\s+)*)(.*?)\s*(?:#\s*(.*))?$/.exec(line)!;
        expect(command, line).toMatch(/^npm (install|test|run \w+)$/);
        const script = command.split(' ').at(-1)!;
        if (script !== 'install') expect(scripts[script], `${line}: package.json has no script "${script}"`).toBeTypeOf('string');
        const only = /BENCH_ONLY=(\S+)/.exec(env)?.[1];
        if (!only) continue;
        expect(trials).toEqual(expect.arrayContaining(only.split(',')));
        // The comment lists every trial: "some trials: hit miss …".
        expect(comment.replace(/^some trials: /, '').split(' ')).toEqual(trials);
      }
    });
  }
});

describe('output samples', () => {
  const sample = claim('Quick start #2', '=== first run (empty cache) ===');

  it('the demo: examples/pipeline.ts run twice with beautyspot run prints the lines of the sample, timings aside', () => {
    // `npm run demo` is scripts/demo.js, which empties the repository's own demo cache: the test runs what it
    // runs, the same script twice, against a cache of its own. The `===` headers are the demo script's.
    const timings = (line: string): string => line.replace(/\d+(\.\d+)? (ms|s)\b/g, '<time>');
    const run = (): string[] => {
      const result = project.spawn([CLI, 'run', join(REPO, 'examples', 'pipeline.ts')], { ...QUIET, BEAUTYSPOT_DIR: project.path('.cache/demo') });
      if (result.status !== 0) throw new Error(`the demo pipeline exited with ${result.status}:\n${result.stderr}`);
      return `${result.stdout}${result.stderr}`.split('\n').map(timings);
    };
    const sections = sample.code.split(/^=== .* ===$/m).slice(1).map(s => s.split('\n').filter(l => l !== '' && l !== '…').map(timings));
    expect(sections).toHaveLength(2);
    for (const expected of sections) expect(run()).toEqual(expect.arrayContaining(expected));
  }, 120_000);
});

it('every code block of the README is checked by a test above (output samples included)', () => {
  const unchecked = README.filter(b => !claimed.has(b.id)).map(b => `${b.id} (line ${b.line})`);
  expect(unchecked, 'README.md blocks that no test checks: add each to test/docs/readme.test.ts').toEqual([]);
});
