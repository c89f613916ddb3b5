// `node scripts/screenshots.mjs` (after `npm run build`): the README's dashboard screenshots, docs/images/dashboard-*.png.
// It fills a demo cache with a small pipeline run once per simulated day over two weeks (each day's process sees
// Date.now() moved back, so the per-day counters and entry ages look like real use), starts `beautyspot ui` on it
// and photographs the overview, the entry list and an entry page in headless Chromium.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const out = join(root, 'docs', 'images');
const dir = mkdtempSync(join(tmpdir(), 'beautyspot-screens-'));
const DAYS = 14;

const runtime = pathToFileURL(join(root, 'dist', 'runtime', 'index.js')).href;
const day = join(dir, 'day.mjs');
writeFileSync(day, `
import { deflateSync, crc32 } from 'node:zlib';
import { defineSpot, mark } from ${JSON.stringify(runtime)};
const offset = Number(process.env.DAY) * 86_400_000;
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) { super(...(args.length === 0 ? [RealDate.now() - offset] : args)); }
  static now() { return RealDate.now() - offset; }
};
defineSpot('demo', {});
const sleep = ms => new Promise(r => setTimeout(r, ms));
const fetchPage = mark(async url => {
  await sleep(40 + (url.length % 5) * 10);
  return { url, status: 200, title: 'Page ' + url.split('/').pop(), links: [url + '/a', url + '/b'], fetchedAt: new Date(Date.now()) };
}, { spot: 'demo', name: 'src/crawl.ts#fetchPage', tags: ['web'] });
const summarize = mark(async (text, style) => {
  await sleep(120);
  return '## Summary\\n\\n' + text + '\\n\\n- **style**: ' + style + '\\n- words: ' + text.split(' ').length + '\\n';
}, { spot: 'demo', name: 'src/llm.ts#summarize', tags: ['llm'], ttl: '30d' });
function png(seed) {
  const w = 160, h = 90, rows = [];
  for (let y = 0; y < h; y++) { rows.push(0); for (let x = 0; x < w; x++) rows.push((x * 255 / w) | 0, (y * 255 / h) | 0, (seed * 40) & 255); }
  const chunk = (type, data) => { const body = Buffer.concat([Buffer.from(type), data]); const b = Buffer.alloc(body.length + 8); b.writeUInt32BE(data.length); body.copy(b, 4); b.writeUInt32BE(crc32(body), body.length + 4); return b; };
  const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  return new Uint8Array(Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from(rows))), chunk('IEND', Buffer.alloc(0))]));
}
const renderChart = mark(async n => { await sleep(200); return png(n); }, { spot: 'demo', name: 'src/report.ts#renderChart', blob: true });
const embed = mark(async text => { await sleep(15); return new Float32Array(256).map((_, i) => Math.sin(i + text.length)); }, { spot: 'demo', name: 'src/llm.ts#embed', tags: ['llm'] });
const d = ${DAYS} - Number(process.env.DAY);
for (let i = 0; i < 6 + d * 3; i++) {
  const page = await fetchPage('https://example.com/docs/' + (i % (4 + d * 2)));
  await embed(page.title);
  if (i % 2 === 0) await summarize('The ' + page.title + ' explains how caching saves time on re-runs', i % 4 === 0 ? 'short' : 'long');
}
await renderChart(d % 5);
`);
for (let d = DAYS - 1; d >= 0; d--) {
  const result = spawnSync(process.execPath, [day], { env: { ...process.env, DAY: String(d), BEAUTYSPOT_DIR: dir }, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`the demo run of day -${d} failed`);
}

const { startUi } = await import(pathToFileURL(join(root, 'dist', 'src', 'ui', 'server.js')).href);
const ui = await startUi({ dir, port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(ui.url);
  await page.locator('.fn-card').first().waitFor();
  await page.waitForTimeout(400);
  await page.screenshot({ path: join(out, 'dashboard-overview.png'), fullPage: true });
  await page.click('a.tab:has-text("Entries")');
  await page.locator('table.list tbody tr').first().waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'dashboard-entries.png') });
  await page.selectOption('select[name="fn"]', 'src/llm.ts#summarize');
  await page.waitForFunction(() => document.querySelector('table.list tbody td')?.textContent === 'summarize');
  await page.locator('table.list tbody a.key').nth(1).click();
  await page.locator('.markdown').waitFor();
  await page.waitForTimeout(200);
  await page.screenshot({ path: join(out, 'dashboard-entry.png'), fullPage: true });
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await ui.close();
  rmSync(dir, { recursive: true, force: true });
}
