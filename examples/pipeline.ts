/**
 * The demo pipeline, written against the runtime API: for each text file, count words (keyed by the
 * file's content), ask a slow rate-limited "API" for a summary (the logger is left out of the key), and
 * render a large report that is stored as a blob. Run it twice: the second run is served from the cache.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { defineSpot, fileDigest, type FilePath } from '../runtime/index.js';

// Only the paid API is rate-limited: its functions name the limit.
const spot = defineSpot('demo', { limits: { api: { rpm: 120 } }, summary: true });

const dataDir = join(import.meta.dirname, '..', '..', 'examples', 'data');
const files = ['lighthouse.txt', 'orchard.txt', 'station.txt'].map(name => join(dataDir, name) as FilePath);

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Word frequencies of a file, keyed by the file's path and content. */
const wordCounts = spot.mark(function wordCounts(path: FilePath): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of readFileSync(path, 'utf8').toLowerCase().match(/[a-z']+/g) ?? []) {
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}, { key: path => ({ path, content: fileDigest(path) }) });

/** A slow, paid "API": 400 ms per call, at most 120 calls a minute. The logger is not part of the key. */
const summarize = spot.mark(async function summarize(text: string, log: (line: string) => void): Promise<string> {
  log(`  calling the summary API for ${text.length} characters…`);
  await sleep(400);
  const sentences = text.split(/(?<=\.)\s+/);
  return `${sentences[0]} (${sentences.length} sentences)`;
}, { key: text => text, limit: 'api' });

/** A large result (≈ 200 KiB), stored as a blob rather than in the SQLite index. */
const renderReport = spot.mark(async function renderReport(title: string, counts: Map<string, number>): Promise<Uint8Array> {
  await sleep(200);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const page = `# ${title}\n\n${top.map(([word, n]) => `- ${word}: ${n}`).join('\n')}\n`;
  return new TextEncoder().encode(page.repeat(Math.ceil(200_000 / page.length)));
}, { blob: true });

const started = performance.now();
for (const file of files) {
  const counts = wordCounts(file);
  const summary = await summarize(readFileSync(file, 'utf8'), line => console.log(line));
  const report = await renderReport(basename(file), counts);
  console.log(`${basename(file)}: ${counts.size} distinct words, report ${(report.byteLength / 1024).toFixed(0)} KiB`);
  console.log(`  ${summary}`);
}
console.log(`pipeline took ${(performance.now() - started).toFixed(0)} ms`);
