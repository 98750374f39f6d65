/**
 * The report of a run a user's checker judged, in Chromium: the example plugin's stale-reads checker
 * (examples/lww-cache/plugin.js), loaded as a user loads it. Its section is drawn from its own presentation, as a
 * built-in checker's is: its facts and list, links to the ops on the timeline, marks there, the banner's findings.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { parseDefinition } from '../../harness/config/index.js';
import { registryWith, runTest } from '../../harness/api.js';
import { assertClean, launchChromium, openFile, waitUntil, type OpenedPage } from '../support/browser.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const plugin = join(root, 'examples/lww-cache/plugin.js');
const store = mkdtempSync(join(tmpdir(), 'faultline-plugin-page-'));

describe('report: a user checker’s section in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  let o: OpenedPage;
  before(async () => {
    browser = await launchChromium();
    const registry = await registryWith([plugin]);
    const def = parseDefinition({ target: 'lww-cache', workload: 'cache-recency', seed: 1, timeLimit: 3, nemesis: 'partition', store, plugins: [plugin] }, registry.definitions());
    const outcome = await runTest(def, { registry });
    assert.equal(outcome.valid, false, 'an asynchronously replicated cache serves stale reads');
    o = await openFile(browser, outcome.report!);
  });
  after(async () => {
    await o?.close();
    await browser?.close();
    rmSync(store, { recursive: true, force: true });
  });

  it('draws the checker’s own section: its title, facts, and the stale reads, the first as the first error', async () => {
    assert.equal(await o.page.locator('#verdict').getAttribute('data-verdict'), 'invalid');
    const section = o.page.locator('#checker-stale-reads');
    assert.equal(await section.locator('h2').textContent(), 'Stale reads');
    assert.match((await section.locator('table.facts tr.v-invalid th').first().textContent()) ?? '', /^stale$/);
    const items = section.locator('ul[data-kind="stale"] li');
    assert.ok((await items.count()) > 0);
    assert.equal(await o.page.locator('#first-error').count(), 1);
    assert.match((await o.page.locator('p.summary').textContent()) ?? '', /reads \d+ · .* · \d+ stale reads/);
    assert.match((await o.page.locator('p.first-anomaly').textContent()) ?? '', /^First: process \d+ read /);
    assert.match((await section.locator('p.prose').textContent()) ?? '', /reads were stale/);
    assert.match((await o.page.locator('#checkers').textContent()) ?? '', /stale-reads/);
  });

  it('marks the stale reads on the timeline, and a click on one shows it there', async () => {
    assert.ok((await o.page.locator('#timeline rect.op.anomalous').count()) > 0, 'marked');
    const link = o.page.locator('#checker-stale-reads ul[data-kind="stale"] li a.op-link').first();
    const index = await link.getAttribute('data-op');
    await link.click();
    await waitUntil(o.page, `document.querySelector('#timeline rect.op.hl')?.getAttribute('data-index') === ${JSON.stringify(index)}`);
    // Zoomed in on it by the click, once the page has scrolled to the timeline: the mark's tooltip says why.
    await waitUntil(o.page, `Math.abs(document.querySelector('#timeline').getBoundingClientRect().top) < 2`);
    await o.page.locator(`#timeline rect.op[data-index="${index}"]`).hover({ force: true });
    await o.page.locator('#tooltip').waitFor({ state: 'visible', timeout: 5000 });
    assert.match((await o.page.locator('#tooltip').textContent()) ?? '', /was written after it and acknowledged before the read began/);
    const write = o.page.locator('#checker-stale-reads ul[data-kind="stale"] li a.op-link', { hasText: 'the write of' }).first();
    assert.ok((await write.count()) === 1, 'the missed write is linked too');
  });

  it('made no console error, page error, dialog or network request', () => assertClean(o));
});
