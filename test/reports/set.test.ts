import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Op } from '../../checkers/history/op.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { checkSet } from '../../checkers/set/index.js';
import { buildReport, LIMITS } from '../../reports/build.js';
import { renderReportHtml } from '../../reports/html.js';
import { writeReport } from '../../reports/write.js';
import { ops } from '../support/dsl.js';
import { anomaliesOf, blocksOf, listOf } from './sample-data.js';
import { faultline } from '../support/cli.js';

/** n adds on 4 processes (the one that got info goes on under fresh ids), a fail, an info, a partition; the final read drops every `gap`th acknowledged add. */
function setHistory(n: number, gap: number): Op[] {
  const lines: string[] = [];
  const read: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const p = i % 4;
    const type = i === 5 ? 'fail' : i === 6 ? 'info' : 'ok';
    lines.push(`${p === 2 && i > 6 ? 10 + i : p} invoke add ${i}`, `${p === 2 && i > 6 ? 10 + i : p} ${type} add ${i}`);
    if (i === n / 2) lines.push('nemesis info start-partition nil', 'nemesis info stop-partition nil');
    if (type === 'ok' && i % gap !== 1) read.push(i);
    if (i === 6) read.push(i); // the info add happened after all
  }
  lines.push(`99 invoke read nil`, `99 ok read ${JSON.stringify(read)}`);
  return ops(lines.join('\n'));
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('reports: a run judged by the set checker', () => {
  it('carries the checker’s counts and elements, each with its add’s op, and no linearizability view', () => {
    const h = setHistory(40, 10);
    const r = buildReport({ history: h, check: checkSet(h), title: 's' });
    assert.equal(r.verdict, false);
    assert.equal(r.checker.name, 'set');
    assert.deepEqual(anomaliesOf(r), []);
    const facts = Object.fromEntries(blocksOf(r, 'facts')[0].rows.map((row) => [row.label, row.value]));
    assert.deepEqual([facts.attempted, facts.acknowledged, facts.failed, facts.unknown, facts.lost, facts.recovered], ['40', '38', '1', '1', '4', '1']);
    const lost = listOf(r, 'lost')!;
    assert.deepEqual(lost.items.map((e) => e.text), ['1', '11', '21', '31']);
    assert.equal(lost.bad, true);
    const first = h.find((o) => o.f === 'add' && o.value === 1 && o.type === 'invoke')!;
    assert.deepEqual(lost.items[0], { text: '1', where: `process 1, index ${first.index}`, links: [{ op: first.index }] });
    assert.deepEqual(listOf(r, 'recovered')!.items.map((e) => [e.text, e.where?.endsWith(', info')]), [['6', true]]);
    assert.deepEqual(r.checker.presentation.keep, [h.find((o) => o.f === 'read')!.index]);
    assert.deepEqual(r.checker.presentation.marks.map((m) => m.op), lost.items.map((e) => e.links![0].op), 'the lost adds are marked');
    assert.match(blocksOf(r, 'prose')[0].text, /^4 of 38 acknowledged adds were lost: 1, 11, 21, 31 /);
  });

  it('plots every lost element per second, past the listed ones, across the whole run', () => {
    // 3,000 adds over 30 s (one every 10 ms); the final read holds none of those after 6 s: 2,400 lost, the list
    // cut at 1,000 (all before 16 s) and the marks at the presentation's 300.
    const h: Op[] = [];
    const at = (ms: number) => ms * 1e6;
    const read: number[] = [];
    for (let i = 0; i < 3000; i++) {
      h.push({ index: h.length, time: at(i * 10), process: i % 4, type: 'invoke', f: 'add', value: i });
      h.push({ index: h.length, time: at(i * 10 + 5), process: i % 4, type: 'ok', f: 'add', value: i });
      if (i * 10 < 6000) read.push(i);
    }
    h.push({ index: h.length, time: at(30_000), process: 9, type: 'invoke', f: 'read', value: null });
    h.push({ index: h.length, time: at(30_001), process: 9, type: 'ok', f: 'read', value: read });
    const result = checkSet(h);
    assert.equal(result.counts.lost, 2400);
    assert.equal(result.lost.length, 1000, 'the list is cut');
    assert.deepEqual(result.lostPerSecond, [0, 0, 0, 0, 0, 0, ...Array<number>(24).fill(100)]);
    const r = buildReport({ history: h, check: result, title: 's' });
    const [rate] = r.checker.presentation.rates!;
    assert.equal(rate.label, 'lost');
    assert.equal(rate.perSecond.reduce((a, b) => a + b, 0), 2400, 'every lost element is counted');
    assert.equal(rate.perSecond.length, 30, 'up to the last second of the run, not only the listed elements');
    // A valid set has nothing to plot.
    const valid = ops('0 invoke add 1\n0 ok add 1\n1 invoke read nil\n1 ok read [1]');
    const none = checkSet(valid);
    assert.equal(none.valid, true);
    assert.equal(none.lostPerSecond, undefined);
    assert.equal(buildReport({ history: valid, check: none, title: 's' }).checker.presentation.rates, undefined);
  });

  it('keeps every op the evidence names when the timeline is sampled', () => {
    const h = setHistory(5000, 997);
    const r = buildReport({ history: h, check: checkSet(h), title: 's' }, { ...LIMITS, ops: 200 });
    const shown = new Set(r.ops.map((o) => o.i));
    const lost = listOf(r, 'lost')!.items;
    assert.ok(lost.length >= 5);
    for (const e of [...lost, ...listOf(r, 'recovered')!.items]) assert.ok(shown.has(e.links![0].op), `the add of ${e.text} is on the timeline`);
    assert.ok(shown.has(h.find((o) => o.f === 'read')!.index), 'the final read is on the timeline');
    assert.ok(r.ops.length < 300, `${r.ops.length} ops shown`);
  });

  it('renders the summary without the script: counts, the lost elements linked to their ops, and the first error', () => {
    const h = setHistory(40, 10);
    const html = renderReportHtml(buildReport({ history: h, check: checkSet(h), title: 's' }));
    assert.match(html, /<section id="checker-set" class="checker-section" data-checker="set"><h2>Set checker<\/h2>/);
    assert.match(html, /<tr class="v-invalid"><th>lost<\/th><td>4<\/td>/);
    const lost = /<ul class="elements bad" data-kind="lost">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
    const links = [...lost.matchAll(/<a href="#timeline" class="op-link" data-op="(\d+)">([^<]*)<\/a>/g)].map((m) => m[2]);
    assert.deepEqual(links, ['1', '11', '21', '31']);
    assert.match(lost, /^<li id="first-error">/, 'the first lost element is the first error');
    assert.match(html, /<a id="jump-to-error" href="#first-error">/);
    assert.match(html, /First: element 1 \(added by process 1, index \d+\) was acknowledged but is missing from the final read\./);
    assert.match(html, /checker set · 41 ops · .* · 4 lost/);
    assert.doesNotMatch(html, /id="anomalies"/, 'no linearizability view');
    assert.match(html, /<table class="kv checker"><tr><th>checker<\/th><td>set<\/td>/);
  });

  it('a valid set run has no error to jump to, and escapes elements', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const h: Op[] = [
      { index: 0, time: 0, process: 0, type: 'invoke', f: 'add', value: hostile },
      { index: 1, time: 1e6, process: 0, type: 'info', f: 'add', value: hostile },
      { index: 2, time: 2e6, process: 1, type: 'invoke', f: 'read', value: null },
      { index: 3, time: 3e6, process: 1, type: 'ok', f: 'read', value: [hostile] },
    ];
    const html = renderReportHtml(buildReport({ history: h, check: checkSet(h), title: 's' }));
    assert.doesNotMatch(html, /<a id="jump-to-error"|<li id="first-error"/);
    assert.match(html, /<h3>Recovered \(1\)<\/h3>/);
    assert.ok(!html.includes(hostile), 'the element is escaped');
  });

  it('a linearizability report is unchanged: named, with its model', () => {
    const h = ops`
      0 invoke write 1 @x
      0 ok write 1 @x
    `;
    const r = buildReport({ history: h, check: checkSync(h, 'cas-register'), title: 't' });
    assert.deepEqual([r.checker.name, r.checker.presentation.facts[0]], ['linearizable', ['model', 'cas-register']]);
  });

  it('writeReport re-checks a history with the set checker: asked for, or the workload’s when results.json has no result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-set-report-'));
    dirs.push(dir);
    const h = setHistory(40, 10);
    writeFileSync(join(dir, 'history.jsonl'), h.map((o) => JSON.stringify(o)).join('\n') + '\n');
    await assert.rejects(writeReport(dir), /no result in results\.json to report, and no checker to check the history with/);
    const none = faultline(['report', dir]);
    assert.equal(none.code, 254);
    assert.match(none.stderr, /no results\.json to take the checker from; give a model with --model .* or --checker \(known: linearizable, set, 2pc, lock, cache, log\)/);
    assert.equal(faultline(['report', dir, '--checker', 'set']).code, 0);
    const page = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.match(page, /data-verdict="invalid"/);
    assert.match(page, /id="checker-set"/);
    const nope = faultline(['report', dir, '--checker', 'nope']);
    assert.deepEqual([nope.code, nope.stderr.trim()], [254, "faultline: unknown checker 'nope' (known: linearizable, set, 2pc, lock, cache, log)"]);

    writeFileSync(join(dir, 'results.json'), JSON.stringify({ valid: false, test: { name: 'kv-single-set', workload: 'set', seed: 1 } }));
    rmSync(join(dir, 'report.html'));
    assert.equal(faultline(['report', dir]).code, 0);
    assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /id="checker-set"/, 'the set workload’s checker');
  });
});
