import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readHistoryFile } from '../../checkers/formats/index.js';
import { checkTwoPhaseCommit } from '../../checkers/two-phase-commit/index.js';
import { buildReport, LIMITS } from '../../reports/build.js';
import { renderReportHtml } from '../../reports/html.js';
import { writeReport } from '../../reports/write.js';
import { Bank } from '../support/bank.js';
import { anomaliesOf, blocksOf, listOf } from './sample-data.js';
import { twoPhaseCommitChecker } from '../../checkers/registry.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = (name: string) => join(root, 'test/fixtures/histories', name);

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('reports: a run judged by the 2pc checker', () => {
  it('carries the checker’s counts and anomalies, each with its ops, and no linearizability view', async () => {
    const { ops: h } = await readHistoryFile(fixture('2pc-partial-commit.jsonl'));
    const r = buildReport({ history: h, check: checkTwoPhaseCommit(h), title: 'bank' });
    assert.equal(r.verdict, false);
    assert.equal(r.checker.name, '2pc');
    assert.deepEqual(anomaliesOf(r), []);
    const facts = Object.fromEntries(blocksOf(r, 'facts')[0].rows.map((row) => [row.label, [row.value, row.what]]));
    assert.deepEqual([facts.transfers[0], facts.partial[0], facts['partial-commit'][0], facts.total[0]], ['4', '1', '1', '600']);
    assert.equal(facts.total[1], "from the first ok read; the final read's: 593");
    assert.deepEqual(listOf(r, 'partial-commit')!.items[0], { text: 'transfer 2 (ok): at p2, not at p3', links: [{ op: 7, label: 'transfer' }] });
    assert.deepEqual(blocksOf(r, 'list').map((l) => l.id), ['partial-commit', 'lost-commit', 'balance-not-conserved']);
    assert.deepEqual(listOf(r, 'balance-not-conserved')!.items[0].links, [{ op: 12, label: 'read' }], 'the final read');
    assert.deepEqual(r.checker.presentation.keep, [12]);
    assert.match(blocksOf(r, 'prose')[0].text, /^1 transfer committed at some of its participants but not all/);
  });

  it('renders the summary without the script: counts, anomalies linked to their ops, and the first error', async () => {
    const { ops: h } = await readHistoryFile(fixture('2pc-partial-commit.jsonl'));
    const html = renderReportHtml(buildReport({ history: h, check: checkTwoPhaseCommit(h), title: 'bank' }));
    assert.match(html, /<section id="checker-2pc" class="checker-section" data-checker="2pc"><h2>2PC atomicity checker<\/h2>/);
    assert.match(html, /<tr class="v-invalid"><th>partial<\/th><td>1<\/td>/);
    assert.match(html, /<tr class="v-invalid"><th>total<\/th><td>600<\/td><td class="what">from the first ok read; the final read&#39;s: 593<\/td>/);
    const partial = /<ul class="elements bad" data-kind="partial-commit">(.*?)<\/ul>/.exec(html)?.[1] ?? '';
    assert.equal(partial, '<li id="first-error"><span class="element">transfer 2 (ok): at p2, not at p3</span> <a href="#timeline" class="op-link" data-op="7">transfer</a></li>');
    assert.match(html, /<ul class="elements bad" data-kind="balance-not-conserved"><li><span class="element">the final read at index 12 totals 593, not 600<\/span> <a href="#timeline" class="op-link" data-op="12">read<\/a><\/li>/);
    assert.match(html, /<a id="jump-to-error" href="#first-error">/);
    assert.match(html, /First: partial-commit: transfer 2 \(ok\): at p2, not at p3\./);
    assert.match(html, /checker 2pc · 6 ops · .* · 1 partial-commit · 1 lost-commit · 1 balance-not-conserved/);
    assert.doesNotMatch(html, /id="anomalies"/);
  });

  it('a valid 2pc run has no error to jump to; an unknown one says why', async () => {
    const { ops: h } = await readHistoryFile(fixture('2pc-valid.jsonl'));
    const html = renderReportHtml(buildReport({ history: h, check: checkTwoPhaseCommit(h), title: 'bank' }));
    assert.match(html, /id="checker-2pc"/);
    assert.doesNotMatch(html, /<a id="jump-to-error"|<li id="first-error"|id="anomalies"/);
    const cut = h.filter((o) => o.f !== 'final-read');
    const unknown = renderReportHtml(buildReport({ history: cut, check: checkTwoPhaseCommit(cut), title: 'bank' }));
    assert.match(unknown, /data-verdict="unknown"/);
    assert.match(unknown, /Why unknown: no final read/);
  });

  it('keeps every op the evidence names when the timeline is sampled', () => {
    const bank = new Bank();
    for (let i = 0; i < 3000; i++) bank.transfer(i % 8, i, ['p1', 'p2'], 'ok');
    const committed = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 500 !== 3);
    const h = bank.final({ p1: committed, p2: [...committed, 1003] }).ops;
    const r = buildReport({ history: h, check: checkTwoPhaseCommit(h), title: 'bank' }, { ...LIMITS, ops: 200 });
    const shown = new Set(r.ops.map((o) => o.i));
    assert.deepEqual([listOf(r, 'partial-commit')!.total, listOf(r, 'lost-commit')!.total], [1, 6]);
    for (const l of blocksOf(r, 'list')) for (const a of l.items) assert.ok(shown.has(a.links![0].op), `the transfer of ${a.text} is on the timeline`);
    assert.ok(shown.has(r.checker.presentation.keep![0]));
    assert.ok(r.ops.length < 300, `${r.ops.length} ops shown`);
  });

  it('writeReport re-checks a history with the 2pc checker when asked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-2pc-report-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'history.jsonl'), readFileSync(fixture('2pc-partial-commit.jsonl')));
    const page = readFileSync(await writeReport(dir, { checker: twoPhaseCommitChecker, recheck: {} }), 'utf8');
    assert.match(page, /data-verdict="invalid"/);
    assert.match(page, /id="checker-2pc"/);
  });
});
