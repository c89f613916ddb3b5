import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Codec } from '../../runtime/codec/codec.js';
import { Spot } from '../../runtime/index.js';
import { startUi, type UiServer } from '../../src/ui/server.js';
import { launchChromium, requireChromium } from '../helpers/chromium.js';
import { startNode } from '../helpers/node-child.js';

const available = requireChromium('ui-browser');

/** A real 2×2 PNG (one chunk of each kind a decoder needs). */
function tinyPng(): Uint8Array {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const rows = Buffer.from([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 0, 255, 255, 255, 255]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]));
}

class Point {
  constructor(readonly x: number, readonly y: number) {}
}

/** A cache written by real marked functions, one per kind of preview; Point is registered only in the writer's codec. */
function writeCache(dir: string): void {
  const codec = new Codec();
  codec.register({ name: 'Point', class: Point, encode: p => [p.x, p.y], decode: d => new Point(...(d as [number, number])) });
  const spot = new Spot('default', { dir, codec });
  spot.mark((n: number) => ({ title: `report ${n}`, items: [1, 2, 3], when: new Date(0), big: 12n, seen: new Set(['a']) }), { name: 'report', tags: ['daily'] })(1);
  spot.mark((n: number) => `# Notes ${n}\n\n- one\n- **two**\n\n<script>window.ranMarkdown = true</script>\n`, { name: 'notes' })(1);
  spot.mark((_n: number) => tinyPng(), { name: 'chart' })(1);
  spot.mark((n: number) => `<!doctype html><html><body><h1>Stored page ${n}</h1><script>parent.document.title = 'pwned'</script></body></html>`, { name: 'page' })(1);
  spot.mark((n: number) => new Uint8Array(3000).map((_, i) => (i * 7 + n) & 0xff), { name: 'bytes' })(1);
  spot.mark((n: number) => new Point(n, 2), { name: 'point' })(1);
  const fetchPage = spot.mark((url: string) => `page of ${url}`, { name: 'fetchPage', tags: ['web'] });
  for (let i = 0; i < 60; i++) fetchPage(`https://example.com/${i}`);
  spot.close();
}

const keyOf = (dir: string, fn: string): string => {
  const spot = new Spot('default', { dir });
  try {
    return spot.entries({ fn })[0]!.key;
  } finally {
    spot.close();
  }
};

describe.runIf(available)('beautyspot ui in headless Chromium', () => {
  let dir: string;
  let ui: UiServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  /** Chromium's reports of scripts the sandboxed preview frame did not run. */
  const blocked: string[] = [];

  const open = async (hash: string): Promise<void> => {
    await page.evaluate(h => ((globalThis as unknown as { location: { hash: string } }).location.hash = h), hash);
  };
  const entryCount = async (): Promise<string> => (await page.locator('.table-head .count').textContent()) ?? '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bs-ui-browser-'));
    writeCache(dir);
    ui = await startUi({ dir, port: 0, pollMs: 200 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', m => {
      if (m.type() !== 'error') return;
      (/^Blocked script execution in .* because the document's frame is sandboxed/.test(m.text()) ? blocked : errors).push(m.text());
    });
    await page.goto(ui.url);
    await page.locator('.fn-card').first().waitFor();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await ui?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a card per function and the charts, with the token moved from the URL to the cookie', async () => {
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('.fn-card h3').allTextContents()).toEqual(['bytes', 'chart', 'fetchPage', 'notes', 'page', 'point', 'report']);
    expect(await page.locator('.stat-value').first().textContent()).toBe('66');
    expect(await page.locator('.charts .uplot').count()).toBe(3);
  });

  it('lists every entry with server-side paging, and filters by function, tag, text and size', async () => {
    await page.click('a.tab:has-text("Entries")');
    await page.locator('table.list tbody tr').first().waitFor();
    expect(await entryCount()).toBe('66 entries');
    expect(await page.locator('table.list tbody tr').count()).toBe(50);
    await page.click('button:has-text("next →")');
    await expect.poll(() => page.locator('table.list tbody tr').count()).toBe(16);
    await page.selectOption('select[name="fn"]', 'fetchPage');
    await expect.poll(entryCount).toBe('60 entries');
    expect(new Set(await page.locator('table.list tbody tr td:first-child').allTextContents())).toEqual(new Set(['fetchPage']));
    await page.selectOption('select[name="fn"]', '');
    await page.selectOption('select[name="tag"]', 'daily');
    await expect.poll(entryCount).toBe('1 entries');
    await page.selectOption('select[name="tag"]', '');
    await page.selectOption('select[name="size"]', 'small');
    await expect.poll(entryCount).toBe('65 entries');
    await page.selectOption('select[name="size"]', '');
    const key = keyOf(dir, 'notes');
    await page.fill('input[name="text"]', key.slice(0, 10));
    await expect.poll(entryCount).toBe('1 entries');
    expect(await page.locator('table.list tbody a.key').getAttribute('title')).toBe(key);
    await page.fill('input[name="text"]', '');
    await expect.poll(entryCount).toBe('66 entries');
  });

  it('opens an entry: metadata, argument digests, why, and each kind of preview', async () => {
    await open('#/entries?spot=default&fn=report');
    await page.click(`table.list a.key[title="${keyOf(dir, 'report')}"]`);
    await page.locator('.tree').waitFor();
    expect(await page.locator('.args td').first().textContent()).toBe('#0'); // a runtime mark names arguments by position
    expect(await page.locator('.tree').textContent()).toContain('"report 1"');
    expect(await page.locator('.tree').textContent()).toContain('Date 1970-01-01T00:00:00.000Z');
    expect(await page.locator('.tree').textContent()).toContain('12n');
    expect(await page.locator('.entry').textContent()).toContain('The first entry of its function');

    await open(`#/entry/${encodeURIComponent(keyOf(dir, 'notes'))}?spot=default`);
    await page.locator('.markdown h2').waitFor();
    expect(await page.locator('.markdown h2').textContent()).toBe('Notes 1');
    expect(await page.locator('.markdown strong').textContent()).toBe('two');
    expect(await page.locator('.markdown pre').textContent()).toContain('<script>'); // raw HTML shown as text
    expect(await page.evaluate(() => (globalThis as { ranMarkdown?: boolean }).ranMarkdown)).toBeUndefined();
    await page.click('button.kind:has-text("text")');
    await page.locator('pre.text').waitFor();
    expect(await page.locator('pre.text').textContent()).toContain('# Notes 1');

    await open(`#/entry/${encodeURIComponent(keyOf(dir, 'chart'))}?spot=default`);
    const img = page.locator('.image img');
    await img.waitFor();
    await expect.poll(() => img.evaluate(el => (el as unknown as { naturalWidth: number }).naturalWidth)).toBe(2);

    await open(`#/entry/${encodeURIComponent(keyOf(dir, 'page'))}?spot=default`);
    const frame = page.locator('iframe.html');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    await expect.poll(() => page.frameLocator('iframe.html').locator('h1').textContent()).toBe('Stored page 1');
    expect(await page.title()).toBe('beautyspot · default'); // the stored page's script did not run
    expect(blocked.some(m => m.includes('/api/raw?') && m.includes('as=html'))).toBe(true);

    await open(`#/entry/${encodeURIComponent(keyOf(dir, 'bytes'))}?spot=default`);
    await page.locator('pre.hex').waitFor();
    expect(await page.locator('pre.hex').textContent()).toMatch(/^00000000 {2}01 08 0f 16/);

    await open(`#/entry/${encodeURIComponent(keyOf(dir, 'point'))}?spot=default`);
    await page.locator('.note').waitFor();
    expect(await page.locator('.note').textContent()).toContain('registered type "Point", which the dashboard has not loaded');
    expect(await page.locator('.note').textContent()).toContain('beautyspot ui --codec <module>');
    expect(await page.locator('pre.hex').count()).toBe(1);
  });

  it('deletes an entry only after the confirmation', async () => {
    const key = keyOf(dir, 'notes');
    await open(`#/entry/${encodeURIComponent(key)}?spot=default`);
    await page.locator('.markdown').waitFor();
    await page.click('button:has-text("Delete entry…")');
    await page.locator('.dialog').waitFor();
    await page.click('.dialog button:has-text("Cancel")');
    expect(await page.locator('.dialog').count()).toBe(0);
    expect(keyOf(dir, 'notes')).toBe(key);
    await page.click('button:has-text("Delete entry…")');
    await page.click('.dialog button:has-text("Delete entry")');
    await page.locator('.dialog .ok').waitFor();
    await page.click('.dialog button:has-text("Close")');
    const spot = new Spot('default', { dir });
    try {
      expect(spot.entries({ fn: 'notes' })).toEqual([]);
    } finally {
      spot.close();
    }
    await expect.poll(entryCount).toBe('0 entries'); // back on the list of its function
  });

  it('shows entries another process writes while the page is open, without a reload', async () => {
    await open('#/entries?spot=default');
    await expect.poll(entryCount).toBe('65 entries');
    const script = join(dir, 'writer.mjs');
    const runtime = pathToFileURL(join(process.cwd(), 'dist', 'runtime', 'index.js')).href;
    writeFileSync(script, `import { Spot } from ${JSON.stringify(runtime)};
const spot = new Spot('default', { dir: ${JSON.stringify(dir)} });
spot.mark((n) => n * 2, { name: 'lateComer' })(21);
spot.close();
`);
    const child = startNode(script, { timeoutMs: 20_000 });
    expect((await child.result).code).toBe(0);
    await expect.poll(entryCount, { timeout: 10_000 }).toBe('66 entries');
    expect(await page.locator('table.list tbody tr td:first-child').first().textContent()).toBe('lateComer');
    await page.click('a.tab:has-text("Overview")');
    await expect.poll(() => page.locator('.fn-card h3').allTextContents()).toContain('lateComer');
  });

  it('clears a function after the confirmation', async () => {
    const card = page.locator('.fn-card', { has: page.locator('h3', { hasText: /^fetchPage$/ }) });
    await card.locator('button:has-text("Clear…")').click();
    expect(await page.locator('.dialog').textContent()).toContain('This deletes 60 entries');
    await page.click('.dialog button:has-text("Delete entries")');
    await page.locator('.dialog .ok').waitFor();
    expect(await page.locator('.dialog .ok').textContent()).toBe('Deleted 60 entries.');
    await page.click('.dialog button:has-text("Close")');
    await expect.poll(() => page.locator('.stat-value').first().textContent()).toBe('6');
  });

  it('ran without page errors', () => {
    expect(errors).toEqual([]);
  });
});
