/**
 * The report of a run the set checker judged, in Chromium: a stored history that lost acknowledged adds, and a
 * valid set run of the simulation. The checker's summary takes the place of the linearizability view; each element
 * links to its add on the timeline.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { builtinRegistry } from '../../harness/builtins.js';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest } from '../../harness/api.js';
import { writeReport } from '../../reports/write.js';
import { assertClean, launchChromium, openFile, waitUntil, type OpenedPage } from '../support/browser.js';
import { setChecker } from '../../checkers/registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const store = mkdtempSync(join(tmpdir(), 'faultline-set-page-'));

describe('report: a set checker run in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(store, { recursive: true, force: true });
  });

  describe('a history that lost acknowledged adds', () => {
    let o: OpenedPage;
    before(async () => {
      const dir = mkdtempSync(join(store, 'lost-'));
      copyFileSync(join(root, 'test/fixtures/histories/set-lost.jsonl'), join(dir, 'history.jsonl'));
      o = await openFile(browser, await writeReport(dir, { checker: setChecker, recheck: {} }));
    });
    after(async () => o?.close());

    it('plots the lost elements per second on the throughput chart, every one of them', async () => {
      const line = o.page.locator('#throughput polyline[data-rate="lost"]');
      assert.equal(await line.count(), 1);
      assert.ok(((await line.getAttribute('points')) ?? '').split(' ').length >= 2);
      assert.match((await o.page.locator('#throughput .legend').textContent()) ?? '', /lost\/s \(2\)/);
    });

    it('says Anomaly found and lists the lost elements, the first one as the first error', async () => {
      assert.equal(await o.page.locator('#verdict').getAttribute('data-verdict'), 'invalid');
      const lost = o.page.locator('#checker-set ul[data-kind="lost"] a.op-link');
      assert.deepEqual(await lost.allTextContents(), ['2', '3']);
      assert.equal(await o.page.locator('#first-error a.op-link').textContent(), '2');
      assert.match((await o.page.locator('#checker-set .prose').textContent()) ?? '', /2 of 5 acknowledged adds were lost: 2, 3/);
      assert.equal(await o.page.locator('section.anomaly').count(), 0, 'no linearizability view');
    });

    it('outlines the lost adds on the timeline, and a click on an element shows its add there', async () => {
      assert.equal(await o.page.locator('#timeline rect.op.anomalous').count(), 2);
      const link = o.page.locator('#checker-set a.op-link', { hasText: '3' });
      const index = await link.getAttribute('data-op');
      await o.page.locator(`#timeline rect.op[data-index="${index}"]`).hover({ force: true });
      await o.page.locator('#tooltip').waitFor({ state: 'visible', timeout: 5000 });
      assert.match((await o.page.locator('#tooltip').textContent()) ?? '', /acknowledged, but 3 is missing from the final read/);
      await link.click();
      await waitUntil(o.page, `document.querySelector('#timeline rect.op.hl')?.getAttribute('data-index') === ${JSON.stringify(index)}`);
    });

    it('made no console error, page error, dialog or network request', () => assertClean(o));
  });

  describe('a valid set run (kv-single under kills and pauses)', () => {
    let o: OpenedPage;
    before(async () => {
      const outcome = await runTest(parseDefinition({ target: 'kv-single', workload: 'set', seed: 2, timeLimit: 4, store, nemesis: { faults: ['kill', 'pause'], interval: 1 } }, builtinRegistry().definitions()));
      o = await openFile(browser, outcome.report!);
    });
    after(async () => o?.close());

    it('says Valid, draws the timeline and the plots, and shows the counts with the recovered adds', async () => {
      assert.equal(await o.page.locator('#verdict').getAttribute('data-verdict'), 'valid');
      assert.ok((await o.page.locator('#timeline svg .op').count()) > 10);
      for (const plot of ['#latency', '#throughput']) {
        assert.ok((await o.page.locator(`${plot} svg .point, ${plot} svg .bar, ${plot} svg .line`).count()) > 0, `${plot} has data marks`);
      }
      assert.equal(await o.page.locator('#checker-set table.facts').count(), 1);
      assert.ok((await o.page.locator('#checker-set ul[data-kind="recovered"] li').count()) > 0, 'pauses leave adds that timed out but happened');
      assert.equal(await o.page.locator('#jump-to-error').count(), 0);
    });

    it('made no console error, page error, dialog or network request', () => assertClean(o));
  });
});
