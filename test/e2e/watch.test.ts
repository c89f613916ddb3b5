import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { context as esbuildContext, type BuildContext, type Plugin as EsbuildPlugin } from 'esbuild';
import { build as viteBuild, createServer, type Plugin as VitePlugin, type ViteDevServer } from 'vite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BeautyspotContext } from '../../plugin/compiler/context.js';
import { beautyspot } from '../../plugin/adapters/unplugin.js';
import vite from '../../plugin/adapters/vite.js';
import { FixtureProject } from './fixture-project.js';

// Watch and dev modes: the plugin keeps one BeautyspotContext (and its ts-morph project) for the life of a dev
// server or watcher. The plugin is imported from source, not dist, so that BeautyspotContext.projectsCreated
// counts the projects of the very module the bundlers run. In fixtures/pipeline, summarize (src/api.ts) takes a `Query` declared in src/types.ts, so
// its generated key writes Query's fields; the interface is erased from the output, and no body mentions
// `priority`, so the word appears in compiled code only if the key writes the field added by ADD_PRIORITY.

const ADD_PRIORITY = ['src/types.ts', 'limit: number;', 'limit: number;\n  priority: number;'] as const;
const DETAILED = ['src/api.ts', "const style = 'brief';", "const style = 'detailed';"] as const;

/** summarize's code hash in compiled output (the hash of its normalised body and what it calls). */
function summarizeHash(code: string): string {
  const hash = /#summarize",\s*codeHash: "(\w+)"/.exec(code)?.[1];
  if (!hash) throw new Error(`no code hash for summarize in:\n${code.slice(0, 2000)}`);
  return hash;
}

/**
 * Polls until `probe` returns a value. File watchers can be slow and may miss a write made before they are
 * ready, so every 2 s `nudge` (rewriting the edited file with the same text) gives them another event.
 */
async function waitFor<T>(what: string, probe: () => T | undefined, nudge?: () => void): Promise<T> {
  const deadline = Date.now() + 20_000;
  let nudged = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    if (nudge && Date.now() - nudged > 2_000) {
      nudge();
      nudged = Date.now();
    }
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

let project: FixtureProject;
let projectsBefore: number;

/** Edits the copy and returns a nudge that rewrites the file with its new text. */
function edit([file, search, replacement]: readonly [string, string, string]): () => void {
  project.edit(file, search, replacement);
  const text = project.read(file);
  return () => writeFileSync(project.path(file), text);
}

beforeEach(() => {
  project = FixtureProject.create('watch');
  projectsBefore = BeautyspotContext.projectsCreated;
});
afterEach(() => project.remove());

describe('vite dev server', () => {
  let server: ViteDevServer;
  /** Files (relative to the project) that reached the transform hook of a plugin running after beautyspot's (enforce: 'pre'). */
  const transformed: string[] = [];
  const recorder: VitePlugin = { name: 'watch-recorder', transform(_code, id) { transformed.push(relative(project.dir, id.split('?')[0]!)); } };

  beforeEach(async () => {
    transformed.length = 0;
    server = await createServer({
      root: project.dir,
      configFile: false,
      logLevel: 'silent',
      appType: 'custom',
      plugins: [vite(), recorder],
      server: { middlewareMode: true, hmr: false, ws: false },
    });
  });
  afterEach(() => server.close());

  /** SSR-transforms each module (as a request for it would); the compiled code by file. */
  async function transformAll(files: string[]): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const file of files) out[file] = (await server.transformRequest(`/${file}`, { ssr: true }))!.code;
    return out;
  }

  /** Resolves once the dev server has dropped its cached transform of `file` (its watcher saw a change). */
  function invalidated(file: string, nudge: () => void): Promise<true> {
    const graph = server.environments.ssr.moduleGraph;
    return waitFor(`the dev server to invalidate ${file}`, () => {
      const modules = [...(graph.getModulesByFile(project.path(file)) ?? [])];
      return modules.length > 0 && modules.every(m => m.transformResult === null) ? true : undefined;
    }, nudge);
  }

  const MODULES = ['main', 'api', 'types', 'counter', 'files', 'records', 'report', 'format'].map(m => `src/${m}.ts`);

  it('editing a type file re-keys the function whose parameter uses it, re-transforming only that module', async () => {
    const before = await transformAll(MODULES);
    expect(transformed.sort()).toEqual([...MODULES].sort());
    expect(before['src/api.ts']).toContain('["topic"]');
    expect(before['src/api.ts']).not.toContain('priority');

    transformed.length = 0;
    await invalidated('src/api.ts', edit(ADD_PRIORITY));
    const after = await transformAll(MODULES);
    // The edited file and the one module whose key depends on it; main.ts, which imports api.ts, keeps its transform.
    expect(transformed.sort()).toEqual(['src/api.ts', 'src/types.ts']);
    expect(after['src/api.ts']).toContain('["priority"]');
    // A type is not code: the body's hash is unchanged.
    expect(summarizeHash(after['src/api.ts']!)).toBe(summarizeHash(before['src/api.ts']!));
    expect(BeautyspotContext.projectsCreated - projectsBefore).toBe(1);
  });

  it("editing an interface that the parameter's type extends, in a third file, re-keys the function", async () => {
    writeFileSync(project.path('src/audit.ts'), 'export interface Audit {\n  requestedBy: string;\n}\n');
    edit(['src/types.ts', 'export interface Query {', "import type { Audit } from './audit.js';\n\nexport interface Query extends Audit {"]);
    const before = await transformAll(['src/api.ts']);
    expect(before['src/api.ts']).toContain('["requestedBy"]');

    transformed.length = 0;
    await invalidated('src/api.ts', edit(['src/audit.ts', 'requestedBy: string;', 'requestedBy: string;\n  reason: string;']));
    const after = await transformAll(['src/api.ts']);
    expect(transformed).toEqual(['src/api.ts']);
    expect(after['src/api.ts']).toContain('["reason"]');
  });

  it("editing a marked function's body re-transforms its module only, with a new code hash", async () => {
    const before = await transformAll(MODULES);
    transformed.length = 0;
    await invalidated('src/api.ts', edit(DETAILED));
    const after = await transformAll(MODULES);
    expect(transformed).toEqual(['src/api.ts']);
    expect(after['src/api.ts']).toContain('"detailed"');
    expect(summarizeHash(after['src/api.ts']!)).not.toBe(summarizeHash(before['src/api.ts']!));
    expect(BeautyspotContext.projectsCreated - projectsBefore).toBe(1);
  });

  it("editing an annotated module's interface re-keys another annotated module that uses it, even when that one is transformed first", async () => {
    // restock's key is planned from records.ts's Entry; records.ts is itself annotated, so the project holds the
    // text transform() was given rather than a file it read from disk.
    writeFileSync(project.path('src/restock.ts'), [
      "import type { Entry } from './records.js';",
      '',
      '/** @mark */',
      'export function restock(entry: Entry): number {',
      '  return entry.quantity * 2;',
      '}',
      '',
    ].join('\n'));
    const files = ['src/records.ts', 'src/restock.ts'];
    const before = await transformAll(files);
    expect(before['src/restock.ts']).toContain('["quantity"]');
    expect(before['src/restock.ts']).not.toContain('price');

    transformed.length = 0;
    await invalidated('src/restock.ts', edit(['src/records.ts', 'quantity: number;', 'quantity: number;\n  price: number;']));
    const after = await transformAll(['src/restock.ts', 'src/records.ts']);
    expect(transformed).toEqual(['src/restock.ts', 'src/records.ts']);
    expect(after['src/restock.ts']).toContain('["price"]');
    expect(BeautyspotContext.projectsCreated - projectsBefore).toBe(1);
  });
});

/** Outputs of a watcher's builds, in order; a failed build is recorded as its error. */
class Builds {
  readonly outputs: (string | Error)[] = [];

  /** The first build from `from` on whose output satisfies `test`. */
  next(what: string, test: (code: string) => boolean, from: number, nudge?: () => void): Promise<string> {
    return waitFor(`${what} (builds so far: ${this.outputs.length}, ${from} before the edit)`, () => {
      const outputs = this.outputs.slice(from);
      const error = outputs.find(o => o instanceof Error);
      if (error) throw error;
      return (outputs as string[]).find(test);
    }, nudge);
  }

  /**
   * The watch scenario both bundlers share: the first build keys `topic` only; editing the type file rebuilds
   * with `priority` keyed and the same code hash; editing the body rebuilds with a new code hash; one ts-morph
   * project throughout. Returns the last output.
   */
  async afterTypeThenBodyEdit(): Promise<string> {
    const first = await this.next('the first build', () => true, 0);
    expect(first).toContain('["topic"]');
    expect(first).not.toContain('priority');

    let seen = this.outputs.length;
    const keyed = await this.next('a rebuild keying priority', code => code.includes('["priority"]'), seen, edit(ADD_PRIORITY));
    expect(summarizeHash(keyed)).toBe(summarizeHash(first));

    seen = this.outputs.length;
    const rehashed = await this.next('a rebuild with a new code hash', code => summarizeHash(code) !== summarizeHash(first), seen, edit(DETAILED));
    expect(rehashed).toContain('["priority"]');
    expect(BeautyspotContext.projectsCreated - projectsBefore).toBe(1);
    return rehashed;
  }
}

describe('vite build --watch', () => {
  it('rebuilds with the new key after a type file edit, and with a new code hash after a body edit', async () => {
    const builds = new Builds();
    const watcher = await viteBuild({
      root: project.dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [vite()],
      build: { ssr: project.path('src/main.ts'), outDir: project.path('dist'), emptyOutDir: true, watch: {} },
    });
    if (!('close' in watcher)) throw new Error('vite build with build.watch did not return a watcher');
    watcher.on('event', async event => {
      if (event.code === 'ERROR') builds.outputs.push(event.error);
      if (event.code !== 'BUNDLE_END') return;
      builds.outputs.push(readFileSync(project.path('dist/main.js'), 'utf8'));
      await event.result.close();
    });
    try {
      const rehashed = await builds.afterTypeThenBodyEdit();
      expect(rehashed).toContain('"detailed"');
    } finally {
      await watcher.close();
    }
  });
});

describe('esbuild context().watch()', () => {
  it('watches the type files keys depend on and rebuilds with the new key plan', async () => {
    const builds = new Builds();
    const recorder: EsbuildPlugin = {
      name: 'watch-recorder',
      setup(build) {
        build.onEnd(result => {
          builds.outputs.push(result.errors.length > 0 ? new Error(result.errors.map(e => e.text).join('\n')) : result.outputFiles![0]!.text);
        });
      },
    };
    const ctx: BuildContext = await esbuildContext({
      entryPoints: [project.path('src/main.ts')],
      outfile: project.path('dist/main.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [beautyspot.esbuild(), recorder],
    });
    try {
      await ctx.watch();
      // types.ts is a type-only import, which esbuild never loads: only beautyspot's watchFiles make it watched.
      await builds.afterTypeThenBodyEdit();
    } finally {
      await ctx.dispose();
    }
  });
});
