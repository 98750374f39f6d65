/**
 * What a target saw, in the report: checkObservations refuses a bad figure by its id; a run whose target observes
 * stores its figures, the page embeds them and draws them in Chromium (an <svg> per bars or lines figure with its
 * bars and lines, a table's rows), each under its title and caption; and `faultline report` re-renders them from
 * results.json.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { parseDefinition } from '../../harness/config/index.js';
import { runTest, type RunOutcome } from '../../harness/api.js';
import { checkObservations, type Figure, type Observations } from '../../harness/observations.js';
import { writeReport } from '../../reports/write.js';
import { assertClean, launchChromium, openFile, type OpenedPage } from '../support/browser.js';
import { observingRegistry, observingTarget } from '../support/observing-target.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');

const bars: Figure = {
  id: 'keys-per-node',
  title: 'Keys per node',
  kind: 'bars',
  x: { label: 'node', values: ['n1', 'n2', 'n3'] },
  y: { label: 'keys' },
  series: [
    { name: 'vnodes 1', values: [10, 20, 30] },
    { name: 'vnodes 128', values: [19, 20, 21] },
  ],
  marks: [{ label: 'K/n', value: 20 }],
};

describe('report: checkObservations', () => {
  const refuses = (o: unknown, message: RegExp) => assert.throws(() => checkObservations(o), message);
  const withFigure = (patch: Record<string, unknown>) => ({ figures: [{ ...bars, ...patch }] });

  it('takes good observations as they are', () => {
    const o: Observations = { notes: ['3 false suspicions'], figures: [bars, { ...bars, id: 'moved', kind: 'lines', x: { label: 'ms', values: [0, 1, 2] }, marks: undefined, spans: [{ label: 'partition', start: 0, end: 1 }] }] };
    const checked = checkObservations(JSON.parse(JSON.stringify(o)));
    assert.deepEqual(checked, JSON.parse(JSON.stringify(o)));
  });

  it('refuses a series whose length differs from x’s, naming the figure and the series', () =>
    refuses(withFigure({ series: [{ name: 'vnodes 1', values: [1, 2] }] }), /^Error: observations: figure 'keys-per-node': series 'vnodes 1' has 2 values for 3 x values$/));
  it('refuses a duplicate id', () => refuses({ figures: [bars, bars] }, /figure 'keys-per-node': a second figure with this id/));
  it('refuses a bad id', () => refuses(withFigure({ id: 'Keys Per Node' }), /figure 'Keys Per Node' id: expected an id of \[a-z0-9-\]\+/));
  it('refuses an unknown kind', () => refuses(withFigure({ kind: 'pie' }), /figure 'keys-per-node' kind: expected bars, lines or table/));
  it('refuses a category on a lines figure', () => refuses(withFigure({ kind: 'lines', marks: undefined }), /figure 'keys-per-node': x.values\[0\] is "n1": a lines figure's x values are numbers/));
  it('refuses a value that is not a number or null', () =>
    refuses(withFigure({ series: [{ name: 's', values: [1, '2', 3] }] }), /figure 'keys-per-node' series\[0\].values\[1\]: expected a finite number or null/));
  it('refuses spans on bars, marks on a table, and a span that ends before it starts', () => {
    refuses(withFigure({ spans: [{ label: 'p', start: 0, end: 1 }] }), /figure 'keys-per-node': spans are shaded on a lines figure only, not on bars/);
    refuses(withFigure({ kind: 'table' }), /figure 'keys-per-node': marks are drawn on bars and lines figures, not on a table/);
    refuses(withFigure({ kind: 'lines', x: { label: 'ms', values: [0, 1, 2] }, spans: [{ label: 'p', start: 2, end: 1 }] }), /figure 'keys-per-node': span 'p' ends \(1\) before it starts \(2\)/);
  });
  it('refuses an unknown field, by the figure’s id', () => refuses(withFigure({ colour: 'red' }), /figure 'keys-per-node'.*colour/));
  it('refuses observations without figures, or with notes that are not text', () => {
    refuses({}, /^Error: observations: figures: /);
    refuses({ figures: [], notes: [3] }, /^Error: observations: notes\[0\]: /);
  });
});

describe('report: a target’s figures in Chromium', function () {
  this.timeout(120_000);
  const store = mkdtempSync(join(tmpdir(), 'faultline-figures-'));
  let browser: Browser;
  let outcome: RunOutcome;
  let o: OpenedPage;
  before(async () => {
    browser = await launchChromium();
    const registry = await observingRegistry([observingTarget('kv-observed')]);
    const def = parseDefinition({ target: 'kv-observed', workload: 'register', seed: 2, timeLimit: 3, store, nemesis: 'partition' }, registry.definitions());
    outcome = await runTest(def, { registry });
    o = await openFile(browser, outcome.report!);
  });
  after(async () => {
    await o?.close();
    await browser?.close();
    rmSync(store, { recursive: true, force: true });
  });

  it('results.json holds the figures, and the page embeds them', () => {
    const results = JSON.parse(readFileSync(join(outcome.runDir, 'results.json'), 'utf8'));
    assert.deepEqual(results.observations.figures.map((f: Figure) => f.id), ['requests-per-key', 'ok-per-second', 'requests-table']);
    const html = readFileSync(outcome.report!, 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]);
    assert.deepEqual(data.observations, results.observations);
  });

  it('shows the section after the verdict’s, with the notes, and each figure under its title and caption', async () => {
    const order = await o.page.locator('main > section').evaluateAll((ss) => ss.map((s) => s.id));
    assert.equal(order.indexOf('observations'), order.indexOf('checker-linearizable') + 1, order.join(' '));
    const section = o.page.locator('#observations');
    assert.equal(await section.locator('h2').textContent(), 'What the target saw');
    assert.match((await section.locator('ul.notes li').first().textContent()) ?? '', /^\d+ keys received \d+ requests$/);
    const figure = section.locator('figure[data-figure="requests-per-key"]');
    assert.equal(await figure.locator('figcaption h3').textContent(), 'Requests per key');
    assert.equal(await figure.locator('figcaption .caption').textContent(), 'What the node received for each key, beside the ops the clients saw acknowledged; the dashed line is the mean received.');
    assert.equal(await figure.getAttribute('aria-labelledby'), 'figure-requests-per-key-title');
  });

  it('draws the bars figure: one <svg>, a bar per key and series (grouped), the mean as a dashed line, a legend', async () => {
    const f = outcome.observations!.figures.find((x) => x.id === 'requests-per-key')!;
    const figure = o.page.locator('figure[data-figure="requests-per-key"]');
    assert.equal(await figure.locator('.body svg').count(), 1);
    assert.equal(await figure.locator('svg rect.bar').count(), f.x.values.length * f.series.length);
    assert.equal(await figure.locator('svg line.mark-line').count(), 1);
    assert.equal(await figure.locator('.legend .item').count(), 3, 'two series and the mark');
    // Each series' tallest bar is its largest count; a key's bars stand side by side, in the series' order.
    for (const j of [0, 1]) {
      const heights = await figure.locator(`svg rect.bar[data-series="${j}"]`).evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
      const values = f.series[j].values as number[];
      assert.equal(heights.indexOf(Math.max(...heights)), values.indexOf(Math.max(...values)), f.series[j].name);
    }
    const xs = await figure.locator('svg rect.bar[data-x="0"]').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('x'))));
    assert.equal(xs.length, 2);
    assert.ok(xs[0] < xs[1], 'received, then acknowledged');
  });

  it('draws the lines figure: one <svg>, a line per series, its span shaded', async () => {
    const f = outcome.observations!.figures.find((x) => x.id === 'ok-per-second')!;
    const figure = o.page.locator('figure[data-figure="ok-per-second"]');
    assert.equal(await figure.locator('.body svg').count(), 1);
    assert.equal(await figure.locator('svg path.series').count(), f.series.length);
    assert.equal(await figure.locator('svg rect.span').count(), 1);
  });

  it('writes the table figure’s rows, with no drawing', async () => {
    const f = outcome.observations!.figures.find((x) => x.id === 'requests-table')!;
    const figure = o.page.locator('figure[data-figure="requests-table"]');
    assert.equal(await figure.locator('svg').count(), 0);
    assert.equal(await figure.locator('table.figure-table tbody tr').count(), f.x.values.length);
    assert.equal(await figure.locator('table.figure-table thead th').count(), 1 + f.series.length);
  });

  it('made no console error, page error, dialog or network request', () => assertClean(o));

  it('`faultline report <run>` re-renders the figures from results.json', () => {
    rmSync(outcome.report!);
    const r = spawnSync(process.execPath, [bin, 'report', outcome.runDir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const html = readFileSync(join(outcome.runDir, 'report.html'), 'utf8');
    assert.match(html, /<section id="observations"/);
    assert.match(html, /data-figure="requests-per-key"/);
    assert.match(html, /"observations":\{/);
  });

  it('stored observations that no longer check are named in the section, not drawn, and the page still renders', async () => {
    const path = join(outcome.runDir, 'results.json');
    const results = JSON.parse(readFileSync(path, 'utf8'));
    results.observations.figures[0].series[0].values.pop();
    writeFileSync(path, JSON.stringify(results));
    const report = await writeReport(outcome.runDir);
    const page = await openFile(browser, report);
    try {
      assert.match((await page.page.locator('#observations p.render-error').textContent()) ?? '', /could not be shown: observations: figure 'requests-per-key': series 'received' has \d+ values for \d+ x values/);
      assert.equal(await page.page.locator('#observations figure').count(), 0);
      assert.equal(await page.page.locator('#verdict').getAttribute('data-verdict'), 'valid');
      assertClean(page);
    } finally {
      await page.close();
    }
  });
});
