import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHistoryText } from '../../checkers/formats/index.js';
import { checkSync } from '../../checkers/linearizability/index.js';
import { buildReport } from '../../reports/build.js';
import { renderReportHtml } from '../../reports/html.js';

/* Exact integers survive past the checker: the CLI's table and JSON, and the report. */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/faultline.js');
const dir = mkdtempSync(join(tmpdir(), 'faultline-exact-'));
const text = [
  '{"index":0,"process":0,"type":"invoke","f":"write","key":12345678901234567890,"value":9007199254740993}',
  '{"index":1,"process":0,"type":"ok","f":"write","key":12345678901234567890,"value":9007199254740993}',
  '{"index":2,"process":1,"type":"invoke","f":"read","key":12345678901234567890,"value":null}',
  '{"index":3,"process":1,"type":"ok","f":"read","key":12345678901234567890,"value":9007199254740992}',
].join('\n');
const file = join(dir, 'big.jsonl');
writeFileSync(file, text + '\n');

describe('exact values in what faultline prints and writes', () => {
  it('faultline check: NOT linearizable, and the prose names every digit', () => {
    const r = spawnSync(process.execPath, [bin, 'check', '--model', 'register', file], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /can't read 9007199254740992 from register 9007199254740993/);
    assert.match(r.stdout, /12345678901234567890/);
  });

  it('faultline check --json: the evidence holds the integers as JSON numbers with every digit', () => {
    const r = spawnSync(process.execPath, [bin, 'check', '--json', '--model', 'register', file], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /"key":12345678901234567890,/);
    assert.match(r.stdout, /"value":9007199254740992,/);
    assert.match(r.stdout, /"value":9007199254740993,/);
  });

  it('the report shows them exactly, and its data block reads back', () => {
    const history = parseHistoryText(text).ops;
    const data = buildReport({ history, check: checkSync(history, 'register'), title: 'big' });
    const html = renderReportHtml(data);
    assert.match(html, /9007199254740992/);
    assert.match(html, /9007199254740993/);
    assert.doesNotMatch(html, /9007199254740990|900719925474099[^23]/);
    assert.match(html, /12345678901234567890/);
  });
});
