// A generated TypeScript project for the vite-build trial: `modules` small modules in a tree of imports
// (module i imports modules 3i+1..3i+3), spread over a few folders, all sharing types.ts and util.ts, with an
// entry src/main.ts. With `marked`, `markedCount` modules (evenly spread) carry one `/** @mark */` function
// typed (Settings, string, FilePath); without, the same function is there, unannotated: the only difference.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FOLDERS = ['core', 'data', 'report', 'net', 'ui', 'jobs'];

const TYPES = `export interface Region {
  code: string;
  zone: number;
}

export interface Settings {
  name: string;
  threshold: number;
  factor: number;
  limit: number;
  verbose: boolean;
  tags: string[];
  region: Region;
}

export interface Row {
  key: string;
  value: number;
}

export interface Report {
  label: string;
  total: number;
  rows: Row[];
}
`;

const UTIL = `export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
`;

const MAIN = `import type { Settings } from './types';
import { run0 } from './${FOLDERS[0]}/mod0';

const settings: Settings = {
  name: 'bench',
  threshold: 3,
  factor: 1.5,
  limit: 8,
  verbose: process.argv.includes('--verbose'),
  tags: ['a', 'b'],
  region: { code: 'eu', zone: 2 },
};

const rows = run0(settings);
console.log(JSON.stringify({ rows: rows.length, total: rows.reduce((s, r) => s + r.value, 0) }));
`;

const folderOf = i => FOLDERS[i % FOLDERS.length];

/** The path of module `i`, relative to the project. */
export const modulePath = i => `src/${folderOf(i)}/mod${i}.ts`;
const childrenOf = (i, modules) => [3 * i + 1, 3 * i + 2, 3 * i + 3].filter(c => c < modules);

/** Indices of the modules that carry a marked function: `count` of them, evenly spread, never the root. */
export function markedModules(modules, count) {
  const step = Math.floor((modules - 1) / count);
  return Array.from({ length: count }, (_, j) => 1 + Math.floor(step / 2) + j * step);
}

function moduleSource(i, modules, withFunction, annotate) {
  const children = childrenOf(i, modules);
  const lines = [
    withFunction ? "import type { FilePath } from 'beautyspot';" : '',
    "import type { Report, Row, Settings } from '../types';",
    "import { clamp, groupBy, slug, sum } from '../util';",
    ...children.map(c => `import { run${c} } from '../${folderOf(c)}/mod${c}';`),
    '',
    `export interface Item${i} {`,
    '  id: number;',
    '  label: string;',
    '  weight: number;',
    '  tags: string[];',
    '}',
    '',
    `const BASE = ${(i * 7) % 13 + 1};`,
    '',
    `export class Tally${i} {`,
    '  private readonly counts = new Map<string, number>();',
    '',
    '  add(tag: string, n = 1): this {',
    '    this.counts.set(tag, (this.counts.get(tag) ?? 0) + n);',
    '    return this;',
    '  }',
    '',
    '  top(k: number): [string, number][] {',
    '    return [...this.counts].sort((a, b) => b[1] - a[1]).slice(0, k);',
    '  }',
    '}',
    '',
    `export function make${i}(n: number): Item${i}[] {`,
    '  return Array.from({ length: n }, (_, j) => ({',
    '    id: j,',
    `    label: slug(\`Item ${i} number \${j}\`),`,
    '    weight: clamp((j * BASE) % 17, 1, 10),',
    "    tags: j % 2 ? ['odd', `w${j % 3}`] : ['even'],",
    '  }));',
    '}',
    '',
    `export function score${i}(items: Item${i}[], settings: Settings): number {`,
    '  const kept = items.filter(x => x.weight >= settings.threshold);',
    '  return sum(kept.map(x => x.weight * settings.factor));',
    '}',
    '',
  ];
  if (withFunction) {
    lines.push(
      ...(annotate ? ['/** @mark */'] : []),
      `export function summarize${i}(settings: Settings, label: string, source: FilePath): Report {`,
      `  const items = make${i}(settings.limit);`,
      '  const groups = groupBy(items, x => x.tags[0] ?? "none");',
      '  return {',
      `    label: \`\${label} (\${source}, \${settings.region.code})\`,`,
      `    total: score${i}(items, settings),`,
      '    rows: [...groups].map(([key, list]) => ({ key, value: list.length })),',
      '  };',
      '}',
      '',
    );
  }
  lines.push(
    `export function run${i}(settings: Settings): Row[] {`,
    `  const tally = new Tally${i}();`,
    `  for (const item of make${i}(settings.limit)) item.tags.forEach(t => tally.add(t));`,
    `  const own: Row = { key: 'mod${i}', value: score${i}(make${i}(4), settings) + tally.top(1).length };`,
    ...(withFunction ? [`  const report = summarize${i}(settings, 'mod${i}', 'data/input-${i}.txt');`, '  own.value += report.total;'] : []),
    `  return [own${children.map(c => `, ...run${c}(settings)`).join('')}];`,
    '}',
    '',
  );
  return lines.filter((line, k) => k > 0 || line !== '').join('\n');
}

/**
 * Writes the project into `dir` (which must be under the repository so `beautyspot` resolves by self-reference).
 * Returns { entry, files, marked }.
 */
export function writeProject(dir, { modules, markedCount, annotate }) {
  const marked = new Set(markedModules(modules, markedCount));
  const files = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, skipLibCheck: true,
        noEmit: true, types: ['node'],
      },
      include: ['src'],
    }, null, 2),
    'src/types.ts': TYPES,
    'src/util.ts': UTIL,
    'src/main.ts': MAIN,
  };
  for (let i = 0; i < modules; i++) files[modulePath(i)] = moduleSource(i, modules, marked.has(i), annotate);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { entry: join(dir, 'src/main.ts'), files: Object.keys(files).length, marked: [...marked] };
}
