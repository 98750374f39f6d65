import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeDefinition } from '../../harness/config/index.js';
import { appendStepSummary } from '../../reports/step-summary.js';
import type { SuiteTestResult } from '../../reports/suite-result.js';

function result(name: string, status: SuiteTestResult['status'], summary: string, report?: string): SuiteTestResult {
  const definition = mergeDefinition(undefined, { name, target: 'raft-kv', workload: 'register', seed: '1' });
  return { name, definition, status, exitCode: 0, summary, ...(report !== undefined && { report }), durationMs: 10 };
}

/** A Markdown table row's cells, split where GitHub splits them: at every `|` not escaped by a backslash. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\([\\|])/g, '$1'));
}

describe('GitHub step summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-summary-'));
  const tests = [
    result('register-ok', 'valid', 'no anomaly in 900 ops', 'store/a/report.html'),
    result('register-stale', 'invalid', '2 keys not linearizable', 'store/b/report.html'),
    result('set-lost', 'unknown', 'unknown: budget | 10 s\nthen more', 'store/c|d/report.html'),
    result('crash', 'crashed', 'TypeError: x is not a function\n    at f (file.js:1:1)'),
  ];

  it('writes nothing when GITHUB_STEP_SUMMARY is not set', async () => {
    assert.equal(await appendStepSummary(tests, {}), false);
    assert.equal(await appendStepSummary(tests, { GITHUB_STEP_SUMMARY: '' }), false);
  });

  it('appends a table of verdict, test, anomaly summary and report, one row per test, after what the file held', async () => {
    const path = join(dir, 'summary.md');
    writeFileSync(path, '## an earlier step\n');
    assert.equal(await appendStepSummary(tests, { GITHUB_STEP_SUMMARY: path }), true);
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith('## an earlier step\n'), text);
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| Verdict'));
    assert.ok(header > 0, text);
    assert.deepEqual(cells(lines[header]), ['Verdict', 'Test', 'Anomaly summary', 'Report']);
    const rows = lines.slice(header + 2).filter((l) => l.startsWith('|'));
    assert.equal(rows.length, tests.length);
    const read = rows.map(cells);
    // Every row has exactly four cells: the `|` and the newlines inside a summary or a path did not break it.
    for (const r of read) assert.equal(r.length, 4, JSON.stringify(r));
    assert.deepEqual(read.map((r) => r[1]), tests.map((t) => t.name));
    assert.match(read[0][0], /valid/);
    assert.match(read[1][0], /anomaly/);
    assert.match(read[2][0], /unknown/);
    assert.match(read[3][0], /crashed/);
    assert.equal(read[1][2], '2 keys not linearizable');
    assert.equal(read[1][3], 'store/b/report.html');
    assert.equal(read[2][2], 'unknown: budget | 10 s then more');
    assert.equal(read[2][3], 'store/c|d/report.html');
    assert.equal(read[3][2], 'TypeError: x is not a function     at f (file.js:1:1)');
    assert.equal(read[3][3], '');
    assert.match(text, /4 tests, 1 valid, 1 with an anomaly, 1 unknown, 1 not completed/);
  });

  it('appends again on a second call (a job with several steps keeps every table)', async () => {
    const path = join(dir, 'twice.md');
    await appendStepSummary(tests.slice(0, 1), { GITHUB_STEP_SUMMARY: path });
    await appendStepSummary(tests.slice(1, 2), { GITHUB_STEP_SUMMARY: path });
    const text = readFileSync(path, 'utf8');
    assert.equal(text.match(/^\| Verdict/gm)?.length, 2);
    assert.ok(text.includes('register-ok') && text.includes('register-stale'));
  });
});
