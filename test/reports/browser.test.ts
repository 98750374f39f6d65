/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core): what a person sees and does on
 * the page of a valid run, of an invalid one, and of a history full of markup, and `faultline report` itself.
 * Every page must render without a console error, a page error, a dialog or a single network request.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { parseDefinition } from '../../harness/config/index.js';
import { builtinRegistry } from '../../harness/builtins.js';
import { runTest } from '../../harness/api.js';
import { writeReport } from '../../reports/write.js';
import { assertClean, launchChromium, openFile, PHONE, waitUntil, type OpenedPage } from '../support/browser.js';
import { linearizableChecker } from '../../checkers/registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const store = mkdtempSync(join(tmpdir(), 'faultline-report-'));

async function runReport(o: Record<string, unknown>): Promise<string> {
  const outcome = await runTest(parseDefinition({ workload: 'register', seed: 1, timeLimit: 10, store, nemesis: 'partition', ...o }, builtinRegistry().definitions()));
  return writeReport(outcome.runDir);
}

const count = (page: Page, selector: string) => page.locator(selector).count();

/** The timeline's geometry: its viewBox, the window of time it shows, and where the op bars are. Zooming changes it. */
const TIMELINE_STATE = `(() => {
  const svg = document.querySelector('#timeline svg');
  const windows = [...svg.querySelectorAll('[data-window]')].map((e) => e.getAttribute('data-window'));
  const bars = [...svg.querySelectorAll('.op')].slice(0, 50).map((e) => e.getAttribute('x') + ':' + e.getAttribute('width'));
  return JSON.stringify([svg.getAttribute('viewBox'), windows, bars]);
})()`;
const timelineState = (page: Page) => page.evaluate<string>(TIMELINE_STATE);

/** Hovers the widest op bar among the first few (a sliver is hard to hit) and returns its index. */
async function hoverAnOp(page: Page, selector = '#timeline .op'): Promise<number> {
  const ops = page.locator(selector);
  const n = Math.min(await ops.count(), 50);
  let best = -1;
  let bestWidth = 0;
  for (let k = 0; k < n; k++) {
    const box = await ops.nth(k).boundingBox();
    if (box && box.width * box.height > bestWidth) {
      best = k;
      bestWidth = box.width * box.height;
    }
  }
  assert.ok(best >= 0, `a visible op bar among ${n}`);
  const op = ops.nth(best);
  await op.scrollIntoViewIfNeeded();
  await op.hover();
  return Number(await op.getAttribute('data-index'));
}

/** An expression: is the element at least partly inside the viewport? */
const inViewport = (selector: string) => `(() => {
  const r = document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight && r.right > 0 && r.left < window.innerWidth;
})()`;

describe('report: the HTML report in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    rmSync(store, { recursive: true, force: true });
  });

  describe('a valid run (kv-single under partitions)', () => {
    let file: string;
    let o: OpenedPage;
    before(async () => {
      file = await runReport({ target: 'kv-single' });
      o = await openFile(browser, file);
    });
    after(async () => o?.close());

    it('says Valid, with the replay command and the test definition', async () => {
      const verdict = o.page.locator('#verdict');
      assert.equal(await verdict.getAttribute('data-verdict'), 'valid');
      assert.match((await verdict.textContent()) ?? '', /Valid/);
      assert.equal(await count(o.page, '#replay'), 1);
      assert.match((await o.page.locator('#replay').textContent()) ?? '', /faultline run/);
      assert.equal(await count(o.page, '#config'), 1);
    });

    it('draws the timeline: op bars and nemesis bands in an svg', async () => {
      assert.ok((await count(o.page, '#timeline svg')) >= 1);
      assert.ok((await count(o.page, '#timeline svg .op')) > 10, 'op bars');
      assert.ok((await count(o.page, '#timeline svg .op.ok')) > 0, 'ok bars');
      assert.ok((await count(o.page, '#timeline svg .op[data-index]')) > 0, 'bars carry their op index');
      assert.ok((await count(o.page, '#timeline svg .nemesis')) > 0, 'nemesis bands');
    });

    it('plots latency and throughput', async () => {
      for (const plot of ['#latency', '#throughput']) {
        const marks = await count(o.page, `${plot} svg .point, ${plot} svg .bar, ${plot} svg .line`);
        assert.ok(marks > 0, `${plot} has data marks`);
      }
    });

    it('lists the checker results, the passed keys collapsed, and no anomaly', async () => {
      assert.equal(await count(o.page, '#checkers'), 1);
      assert.equal(await count(o.page, 'details[data-kind="passed-keys"]'), 1);
      assert.equal(await o.page.locator('details[data-kind="passed-keys"]').getAttribute('open'), null, 'collapsed');
      assert.equal(await count(o.page, 'section.anomaly'), 0);
      assert.equal(await count(o.page, '#jump-to-error'), 0);
    });

    it('shows a tooltip only while an op is hovered, naming the op and its index', async () => {
      const tooltip = o.page.locator('#tooltip');
      assert.equal(await tooltip.isVisible(), false, 'hidden before any hover');
      const index = await hoverAnOp(o.page);
      await tooltip.waitFor({ state: 'visible', timeout: 5000 });
      const text = (await tooltip.textContent()) ?? '';
      assert.match(text, new RegExp(`index ${index}(?!\\d)`));
      assert.match(text, /\b(read|write|cas)\b/, 'the op’s f');
    });

    it('zooms the timeline in, and resets it', async () => {
      const before = await timelineState(o.page);
      await o.page.locator('#timeline-zoom-in').click();
      await waitUntil(o.page, `${JSON.stringify(before)} !== ${TIMELINE_STATE}`);
      assert.notEqual(await timelineState(o.page), before, 'zoom in changes the window shown and the bars');
      await o.page.locator('#timeline-zoom-out').click();
      await o.page.locator('#timeline-reset').click();
      await waitUntil(o.page, `${JSON.stringify(before)} === ${TIMELINE_STATE}`);
    });

    it('fits a phone’s width (only the timeline may scroll sideways)', async () => {
      const phone = await openFile(browser, file, { viewport: PHONE });
      try {
        const overflow = await phone.page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
        assert.ok(overflow <= 1, `the page is ${overflow}px wider than the phone`);
        assertClean(phone);
      } finally {
        await phone.close();
      }
    });

    it('made no console error, page error, dialog or network request', () => assertClean(o));
  });

  describe('an invalid run (primary-backup with async replication)', () => {
    let o: OpenedPage;
    before(async () => {
      o = await openFile(browser, await runReport({ target: 'primary-backup', bug: 'async-replication' }));
    });
    after(async () => o?.close());

    it('says Anomaly found', async () => {
      const verdict = o.page.locator('#verdict');
      assert.equal(await verdict.getAttribute('data-verdict'), 'invalid');
      assert.match((await verdict.textContent()) ?? '', /Anomaly found/);
    });

    it('draws the timeline, the nemesis and the plots', async () => {
      assert.ok((await count(o.page, '#timeline svg .op')) > 10);
      assert.ok((await count(o.page, '#timeline svg .nemesis')) > 0);
      for (const plot of ['#latency', '#throughput']) {
        assert.ok((await count(o.page, `${plot} svg .point, ${plot} svg .bar, ${plot} svg .line`)) > 0, `${plot} has data marks`);
      }
    });

    it('explains the anomaly: its key, the failing op, prose and a linearization', async () => {
      assert.equal(await count(o.page, '#anomalies'), 1);
      const anomalies = o.page.locator('section.anomaly[data-key]');
      assert.ok((await anomalies.count()) >= 1);
      assert.ok((await count(o.page, '.op.failing')) >= 1, 'a failing op');
      assert.equal(await count(o.page, '#first-error.op.failing'), 1, 'the first failing op is #first-error');
      const prose = (await o.page.locator('section.anomaly .prose').first().textContent()) ?? '';
      assert.ok(prose.trim().length > 20, `prose: ${prose}`);
      assert.ok((await count(o.page, 'section.anomaly .linearization')) >= 1, 'a linearization');
    });

    it('jumps to the first error', async () => {
      const jump = o.page.locator('a#jump-to-error[href="#first-error"]');
      assert.equal(await jump.count(), 1);
      await o.page.evaluate('window.scrollTo(0, 0)');
      await jump.click();
      await waitUntil(o.page, "location.hash === '#first-error'");
      // Smooth scrolling may take a moment.
      await waitUntil(o.page, inViewport('#first-error'));
    });

    it('shows the tooltip of a hovered op', async () => {
      const index = await hoverAnOp(o.page);
      const tooltip = o.page.locator('#tooltip');
      await tooltip.waitFor({ state: 'visible', timeout: 5000 });
      assert.match((await tooltip.textContent()) ?? '', new RegExp(`index ${index}(?!\\d)`));
    });

    it('made no console error, page error, dialog or network request', () => assertClean(o));
  });

  // Twice: as a reader gets it, and with the page's Content-Security-Policy off, so that the page's own escaping is
  // tested and not only the policy that would stop a script the escaping let through.
  for (const bypassCSP of [false, true]) {
    describe(`a history whose every field is hostile markup${bypassCSP ? ', with the CSP off' : ''}`, () => {
      let o: OpenedPage;
      let own: { scripts: number; imgs: number };
      before(async () => {
        const dir = mkdtempSync(join(store, 'hostile-'));
        writeFileSync(join(dir, 'history.jsonl'), hostileHistory().map((op) => JSON.stringify(op)).join('\n') + '\n');
        const file = await writeReport(dir, { checker: linearizableChecker, recheck: { model: 'cas-register' } });
        // The page's own elements, counted on a page built from the same template with harmless data.
        const plain = mkdtempSync(join(store, 'plain-'));
        writeFileSync(join(plain, 'history.jsonl'), plainHistory().map((op) => JSON.stringify(op)).join('\n') + '\n');
        const reference = await openFile(browser, await writeReport(plain, { checker: linearizableChecker, recheck: { model: 'cas-register' } }), { bypassCSP });
        own = { scripts: await count(reference.page, 'script'), imgs: await count(reference.page, 'img') };
        await reference.close();
        o = await openFile(browser, file, { bypassCSP });
      });
      after(async () => o?.close());

      it('runs nothing from the history: no dialog, no page error, no request', async () => {
        // Hover every op: a tooltip is where markup would most likely be injected.
        const ops = o.page.locator('#timeline .op');
        for (let k = 0; k < (await ops.count()); k++) await ops.nth(k).hover({ force: true });
        await o.page.locator('#timeline .nemesis').first().hover({ force: true });
        assertClean(o);
      });

      it('injects no element: the page’s own scripts only, no img, no handler attribute, no javascript: link', async () => {
        assert.equal(await count(o.page, 'script'), own.scripts, 'script elements');
        assert.equal(await count(o.page, 'img'), own.imgs, 'img elements');
        const handlers = await o.page.evaluate<string[]>(`[...document.querySelectorAll('*')].flatMap((e) =>
          [...e.attributes].filter((a) => /^on/i.test(a.name) || /^\\s*javascript:/i.test(a.value) && /(href|src|action)$/i.test(a.name))
            .map((a) => e.tagName + ' ' + a.name + '=' + a.value))`);
        assert.deepEqual(handlers, []);
      });

      it('shows the hostile strings as text', async () => {
        assert.equal(await o.page.locator('#verdict').getAttribute('data-verdict'), 'invalid');
        const anomaly = (await o.page.locator('#anomalies').textContent()) ?? '';
        assert.ok(anomaly.includes(SCRIPT), `the key as text in the anomaly: ${anomaly.slice(0, 300)}`);
        assert.ok(anomaly.includes(SVG), 'the read value as text in the anomaly');
        assert.equal(await o.page.locator('section.anomaly').first().getAttribute('data-key'), SCRIPT);

        const tooltip = o.page.locator('#tooltip');
        await o.page.locator('#timeline .op[data-index="5"]').first().hover({ force: true });
        await tooltip.waitFor({ state: 'visible', timeout: 5000 });
        const text = (await tooltip.textContent()) ?? '';
        assert.ok(text.includes(SCRIPT), `the f as text in the tooltip: ${text}`);
        assert.match(text, /index 5(?!\d)/);

        await o.page.locator('#timeline .op[data-index="7"]').first().hover({ force: true });
        const separator = (await tooltip.textContent()) ?? '';
        assert.ok(separator.includes(CLOSE_SCRIPT), `a value with </script> as text: ${separator}`);
      });

      it('made no console error, page error, dialog or network request', () => assertClean(o));
    });
  }

  describe('faultline report', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [bin, 'report', ...args], { encoding: 'utf8', timeout: 60_000 });

    it('writes report.html into a run directory and exits 0', async () => {
      const outcome = await runTest(parseDefinition({ target: 'kv-single', workload: 'register', seed: 2, timeLimit: 3, store }, builtinRegistry().definitions()));
      const report = join(outcome.runDir, 'report.html');
      rmSync(report, { force: true });
      const r = cli(outcome.runDir);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(report));
      const o = await openFile(browser, report);
      try {
        assert.equal(await o.page.locator('#verdict').getAttribute('data-verdict'), 'valid');
        assertClean(o);
      } finally {
        await o.close();
      }
    });

    it('a bare history needs --model: exit 254 with one line', () => {
      const dir = mkdtempSync(join(store, 'bare-'));
      writeFileSync(join(dir, 'history.jsonl'), plainHistory().map((op) => JSON.stringify(op)).join('\n') + '\n');
      const r = cli(dir);
      assert.equal(r.status, 254, r.stderr);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^faultline: .*model/);
      assert.ok(!existsSync(join(dir, 'report.html')));

      const withModel = cli(dir, '--model', 'cas-register');
      assert.equal(withModel.status, 0, withModel.stderr);
      assert.ok(existsSync(join(dir, 'report.html')));
    });
  });
});

const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const SVG = '"><svg onload=alert(1)>';
const CLOSE_SCRIPT = '</script><script>alert(1)</script>';
const JS_URL = 'javascript:alert(1)';
const LINE_SEPARATOR = 'a\u2028b';

const ms = (n: number) => n * 1_000_000;

/**
 * Markup in every field the page shows: keys, values, f names, errors, nemesis faults and their values. Key SCRIPT
 * is not linearizable (it reads SVG, never written), so the anomaly view shows them too. Fail ops may carry any f
 * (the checker drops them), and so may the nemesis.
 */
function hostileHistory(): Record<string, unknown>[] {
  const ops: Record<string, unknown>[] = [
    { process: 0, type: 'invoke', f: 'write', key: SCRIPT, value: IMG, time: ms(0) },
    { process: 0, type: 'ok', f: 'write', key: SCRIPT, value: IMG, time: ms(10) },
    { process: 'nemesis', type: 'info', f: 'start-partition', value: { [CLOSE_SCRIPT]: [SVG, JS_URL] }, time: ms(15) },
    { process: 1, type: 'invoke', f: 'read', key: SCRIPT, value: null, time: ms(20) },
    { process: 1, type: 'ok', f: 'read', key: SCRIPT, value: SVG, time: ms(30) },
    { process: 2, type: 'invoke', f: SCRIPT, key: JS_URL, value: CLOSE_SCRIPT, time: ms(35) },
    { process: 2, type: 'fail', f: SCRIPT, key: JS_URL, value: CLOSE_SCRIPT, error: IMG, time: ms(40) },
    { process: 3, type: 'invoke', f: 'write', key: CLOSE_SCRIPT, value: CLOSE_SCRIPT + LINE_SEPARATOR, time: ms(45) },
    { process: 3, type: 'info', f: 'write', key: CLOSE_SCRIPT, value: CLOSE_SCRIPT + LINE_SEPARATOR, error: { [JS_URL]: SVG }, time: ms(50) },
    { process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: ms(55) },
    { process: 'nemesis', type: 'info', f: `start-${SCRIPT}`, value: [IMG, LINE_SEPARATOR], time: ms(60) },
    { process: 4, type: 'invoke', f: 'read', key: LINE_SEPARATOR, value: null, time: ms(62) },
    { process: 4, type: 'ok', f: 'read', key: LINE_SEPARATOR, value: null, time: ms(68) },
    { process: 'nemesis', type: 'info', f: `stop-${SCRIPT}`, value: JS_URL, time: ms(70) },
    { process: 5, type: 'invoke', f: 'write', key: SCRIPT, value: JS_URL, time: ms(75) },
  ];
  return ops.map((op, index) => ({ index, ...op }));
}

/** The same shape with harmless values (and the same verdict), to count the page's own elements. */
function plainHistory(): Record<string, unknown>[] {
  const ops: Record<string, unknown>[] = [
    { process: 0, type: 'invoke', f: 'write', key: 'x', value: 1, time: ms(0) },
    { process: 0, type: 'ok', f: 'write', key: 'x', value: 1, time: ms(10) },
    { process: 'nemesis', type: 'info', f: 'start-partition', value: { n1: ['n2'] }, time: ms(15) },
    { process: 1, type: 'invoke', f: 'read', key: 'x', value: null, time: ms(20) },
    { process: 1, type: 'ok', f: 'read', key: 'x', value: 2, time: ms(30) },
    { process: 'nemesis', type: 'info', f: 'stop-partition', value: null, time: ms(55) },
  ];
  return ops.map((op, index) => ({ index, ...op }));
}
