// Trial "dev": re-transforming one module after an edit in a vite 8 dev server (one process, SSR transforms).
// Loops, in interleaved rounds with a rotating order and one warm-up round:
//   plugin       the beautyspot plugin, an edit of a module with a `/** @mark */` function: the plugin updates its
//                type program with the new text and generates the key code again;
//   plain        the same edit, a server without the plugin (vite's own TS transform and SSR import analysis);
//   unannotated  the beautyspot plugin, an edit of a module without annotations (the hook filter skips it).
// Each server has its own copy of a small generated project (a package of its own, so the plugin's disk cache is
// the project's). Before each timed call, untimed: the module's `BASE` constant (which the marked function's
// code hash covers) gets a value never used before — so neither the plugin's memo nor its disk cache can answer —
// the watcher's change event is awaited (and the edit waits for its file's previous event to be EVENT_GAP_MS
// old), and the module is invalidated in the SSR module graph. Timed:
// `transformRequest` of the module (what `server.transformRequest(url, { ssr: true })` calls). Every output is
// checked: it holds the new value; the plugin loop rewrote the file (one handler call, one new disk-cache entry)
// and the others did not reach the plugin's handler.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runChild } from '../lib/child.js';
import { pluginModule } from '../lib/compile.js';
import { ownPackage, scratchDir } from '../lib/project.js';
import { interleaveAsync, now } from '../lib/timing.js';
import { compilerLoaded, loadVitePlugin, timed } from '../lib/vite-plugin.js';
import { modulePath, writeProject } from '../lib/vite-project.js';

const LOOPS = {
  plugin: { server: 'plugin', file: 'annotated' },
  plain: { server: 'plain', file: 'annotated' },
  unannotated: { server: 'plugin', file: 'unannotated' },
};
/** How long the watcher may take to report an edit; after it, vite's change handler gets SETTLE_MS to finish. */
const EVENT_TIMEOUT_MS = 2_000;
const SETTLE_MS = 20;
/**
 * chokidar drops a change event that comes within 50 ms of the previous one for the same file; with a rotating
 * order one loop can run last in a round and first in the next, so an edit waits until its file's previous
 * event is this old.
 */
const EVENT_GAP_MS = 60;

/** Resolves to true when `watcher` reports a change of `file`, false after `timeoutMs`. */
function changeOf(watcher, file, timeoutMs) {
  return new Promise(done => {
    const finish = seen => {
      clearTimeout(timer);
      watcher.off('change', onChange);
      done(seen);
    };
    const onChange = changed => {
      if (resolve(changed) === file) finish(true);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    watcher.on('change', onChange);
  });
}

runChild(async ({ modules, markedCount, rounds }) => {
  // The service off: a dev server with a warm compiler compiles in-process anyway, and the service its first compile
  // would start builds a program of its own on the trial's two cores while the rounds run.
  process.env.BEAUTYSPOT_COMPILE_SERVICE = '0';
  const { createServer } = await import('vite');
  const beautyspot = await loadVitePlugin();
  const dir = scratchDir('bench-dev-');
  const servers = {};
  const transforms = [];
  try {
    for (const [name, plugins] of [['plugin', [timed(beautyspot(), transforms)]], ['plain', []]]) {
      const root = join(dir, name);
      const project = writeProject(root, { modules, markedCount, annotate: true });
      const cache = join(ownPackage(root), 'plugin');
      const server = await createServer({
        root, configFile: false, plugins, server: { middlewareMode: true, hmr: false }, appType: 'custom', logLevel: 'silent',
      });
      servers[name] = { root, project, cache, server, env: server.environments.ssr };
    }
    const marked = servers.plugin.project.marked;
    const unannotated = Array.from({ length: modules }, (_, i) => i).find(i => i > marked[0] && !marked.includes(i));
    const files = { annotated: modulePath(marked[0]), unannotated: modulePath(unannotated) };
    const target = name => {
      const { server, file } = LOOPS[name];
      const s = servers[server];
      return { ...s, url: `/${files[file]}`, path: join(s.root, files[file]) };
    };
    const cacheEntries = () => {
      try {
        return readdirSync(servers.plugin.cache).filter(f => f.endsWith('.json')).length;
      } catch {
        return 0;
      }
    };

    // The first transform of each module (the plugin's loads the compiler and creates the ts-morph project).
    const firstMs = {};
    for (const name of Object.keys(LOOPS)) {
      const { env, url } = target(name);
      const start = now();
      await env.transformRequest(url);
      firstMs[name] = now() - start;
    }
    const loadedByFirst = compilerLoaded();

    let values = 0;
    const lastEvent = new Map();
    const stats = Object.fromEntries(Object.keys(LOOPS).map(n => [n, { edits: 0, rewrites: 0, cacheWrites: 0, byWatcher: 0, missedEvents: 0 }]));
    let pending;
    const check = () => {
      if (!pending) return;
      const { name, value, out, transformsBefore, entriesBefore } = pending;
      const calls = transforms.slice(transformsBefore);
      const written = cacheEntries() - entriesBefore;
      const s = stats[name];
      s.edits++;
      s.rewrites += calls.filter(t => t.rewrote).length;
      s.cacheWrites += written;
      const problems = [];
      if (!out?.code.includes(`BASE = ${value};`)) problems.push(`the output does not hold the edit (BASE = ${value})`);
      const rewrote = out?.code.includes('markCompiled(');
      if (name === 'plugin' && (calls.length !== 1 || !calls[0].rewrote || written !== 1 || !rewrote)) {
        problems.push(`${calls.length} handler calls, ${calls.filter(t => t.rewrote).length} rewrites, ${written} new cache entries, markCompiled in the output: ${rewrote}; expected one fresh rewrite`);
      }
      if (name !== 'plugin' && (calls.length !== 0 || rewrote)) problems.push(`${calls.length} plugin handler calls, markCompiled in the output: ${rewrote}; expected none`);
      if (problems.length) throw new Error(`dev ${name}, edit ${s.edits}: ${problems.join('; ')}`);
      pending = undefined;
    };

    const loops = Object.fromEntries(Object.keys(LOOPS).map(name => [name, async () => {
      const { env, url } = target(name);
      pending.out = await env.transformRequest(url);
      return pending.out.code.length;
    }]));
    const result = await interleaveAsync(loops, {
      rounds,
      ops: 1,
      async prepare(name) {
        check();
        const { server, env, path } = target(name);
        // Never a value used before, never ending in 0 (vite's minifier would print 1000 as 1e3).
        const value = 10 * ++values + 7;
        const text = readFileSync(path, 'utf8');
        const edited = text.replace(/^const BASE = \d+;$/m, `const BASE = ${value};`);
        if (edited === text) throw new Error(`dev ${name}: no BASE constant in ${path}`);
        const gap = EVENT_GAP_MS - (now() - (lastEvent.get(path) ?? -Infinity));
        if (gap > 0) await sleep(gap);
        const changed = changeOf(server.watcher, path, EVENT_TIMEOUT_MS);
        writeFileSync(path, edited);
        if (await changed) {
          lastEvent.set(path, now());
          await sleep(SETTLE_MS);
        } else {
          stats[name].missedEvents++;
        }
        const mod = env.moduleGraph.getModuleById(path);
        if (!mod) throw new Error(`dev ${name}: ${path} is not in the SSR module graph`);
        if (!mod.transformResult) stats[name].byWatcher++;
        env.moduleGraph.invalidateModule(mod);
        pending = { name, value, transformsBefore: transforms.length, entriesBefore: cacheEntries() };
      },
    });
    check();
    // The compiler is loaded by now: counting its projects loads nothing new.
    const projectsCreated = (await pluginModule('compiler/context.js')).BeautyspotContext.projectsCreated;
    const ms = Object.fromEntries(Object.entries(result).map(([name, v]) => [name, {
      ms: v.us / 1000, min: v.min / 1000, max: v.max / 1000, spread: v.spread, rounds: v.rounds,
    }]));
    return { ...ms, firstMs, stats, loadedByFirst, projectsCreated, modules, marked, files, settleMs: SETTLE_MS, gapMs: EVENT_GAP_MS };
  } finally {
    for (const { server } of Object.values(servers)) await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
