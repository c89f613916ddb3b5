import { formatAge, shortKey } from '../format/table.js';
import { describeCause, whyMiss, type Explanation } from '../cache/why.js';
import { cacheCommand, eachView, fail, matchFunction, printJson, type CommonOptions } from './cache-command.js';

export const whyCommand = cacheCommand('why', 'explain the latest miss of a function: which arguments, code or version changed')
  .argument('<function>', 'the function id, or the name after "#" (fetchPage for src/pipeline.ts#fetchPage)')
  .action((name: string, options: CommonOptions) => {
    const found = eachView(options, view => matchFunction(view.functions().map(f => f.fn), name)
      .map(fn => ({ spot: view.spot, fn, explanation: whyMiss(view, fn) }))).flat();
    if (found.length === 0) fail(`no function "${name}" has entries in this cache (\`beautyspot stats\` lists them)`);
    if (found.length > 1) fail(`"${name}" matches several functions: ${found.map(f => `${f.fn} (spot "${f.spot}")`).join(', ')}. Give the full id.`);
    const { spot, explanation } = found[0]!;
    if (!explanation) fail(`function "${found[0]!.fn}" has no stored entries left to explain`);
    if (options.json) return printJson({ spot, ...toJson(explanation) });
    process.stdout.write(`${describe(explanation)}\n`);
  });

function describe(x: Explanation): string {
  const head = `${x.fn}: the latest miss (${formatAge(x.entry.createdAt)}, key ${shortKey(x.entry.key)})`;
  if (!x.closest) return `${head} is its first stored entry: there is nothing earlier to compare it with.`;
  if (x.causes.length === 0) {
    return `${head} has the same recorded arguments, code and version as ${shortKey(x.closest.key)}: ` +
      'it recomputed an entry that had expired, been cleared or evicted, or was refreshed (access mode "ew").';
  }
  return `${head} ran because, compared with the closest earlier entry (${formatAge(x.closest.createdAt)}, key ${shortKey(x.closest.key)}):\n` +
    x.causes.map(c => `  - ${describeCause(c)}`).join('\n');
}

function toJson(x: Explanation): object {
  return { fn: x.fn, key: x.entry.key, createdAt: x.entry.createdAt, closest: x.closest?.key ?? null,
    causes: x.causes.map(cause => ({ ...cause, text: describeCause(cause) })) };
}
