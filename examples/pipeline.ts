/**
 * The demo pipeline: for each text file, count its words (keyed by the file's content), ask a slow,
 * rate-limited "API" for a summary (the logger and the verbose flag are not part of the key), and render a
 * large report that is stored as a blob. Run it twice: the second run is served from the cache.
 *
 *   npx beautyspot run examples/pipeline.ts [--verbose]
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineSpot, type FilePath, type Ignore } from 'beautyspot';

// One spot for the demo; only functions that name the `api` limit are rate-limited.
defineSpot('demo', { limits: { api: { rpm: 120 } }, summary: true });

type Logger = (line: string) => void;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Word frequencies of a file.
 * @mark spot=demo
 */
function wordCounts(path: FilePath): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of readFileSync(path, 'utf8').toLowerCase().match(/[a-z']+/g) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

/**
 * A slow, paid "API": 400 ms a call, at most 120 calls a minute.
 * @mark spot=demo limit=api ttl=30d
 */
async function summarize(text: string, style: 'short' | 'long', log: Ignore<Logger>, verbose: Ignore<boolean>): Promise<string> {
  if (verbose) log(`  calling the summary API for ${text.length} characters…`);
  await sleep(400);
  const sentences = text.split(/(?<=\.)\s+/);
  return style === 'short' ? sentences[0]! : sentences.slice(0, 2).join(' ');
}

/**
 * A large result (≈ 200 KiB), stored as a blob rather than in the SQLite index.
 * @mark spot=demo blob
 */
async function renderReport(title: string, summary: string, counts: Map<string, number>): Promise<Uint8Array> {
  await sleep(200);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const page = `# ${title}\n\n${summary}\n\n${top.map(([word, n]) => `- ${word}: ${n}`).join('\n')}\n`;
  return new TextEncoder().encode(page.repeat(Math.ceil(200_000 / page.length)));
}

const verbose = process.argv.includes('--verbose');
const dataDir = join(import.meta.dirname, 'data');
const files = ['lighthouse.txt', 'orchard.txt', 'station.txt'].map(name => join(dataDir, name));

const started = performance.now();
for (const file of files) {
  const counts = wordCounts(file);
  const summary = await summarize(readFileSync(file, 'utf8'), 'short', line => console.log(line), verbose);
  const report = await renderReport(basename(file), summary, counts);
  console.log(`${basename(file)}: ${counts.size} distinct words, report ${(report.byteLength / 1024).toFixed(0)} KiB — ${summary}`);
}
console.log(`pipeline took ${(performance.now() - started).toFixed(0)} ms`);
