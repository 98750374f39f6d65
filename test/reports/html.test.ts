import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { renderReportHtml } from '../../reports/html.js';
import { renderStoreIndex, type StoreIndexRun } from '../../reports/index-page.js';
import { anomaliesOf, sampleReport } from './sample-data.js';

const CLOSE_SCRIPT = '</script><script>alert(1)</script>';

/** The CSP's source list for one directive, e.g. `script-src`. */
function directive(html: string, name: string): string[] | undefined {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(csp, 'a CSP meta tag');
  const d = csp.split(';').map((s) => s.trim().split(/\s+/)).find(([n]) => n === name);
  return d?.slice(1);
}

/** The text of every element `<tag …>…</tag>` whose attributes match `attrs` exactly. */
function inline(html: string, tag: string, attrs = ''): string[] {
  const re = new RegExp(`<${tag}${attrs}>([\\s\\S]*?)</${tag}>`, 'g');
  return [...html.matchAll(re)].map((m) => m[1]);
}

const hash = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function assertStrictCsp(html: string, withScript: boolean): void {
  assert.deepEqual(directive(html, 'default-src'), ["'none'"]);
  assert.deepEqual(directive(html, 'img-src'), ['data:']);
  assert.deepEqual(directive(html, 'base-uri'), ["'none'"]);
  assert.deepEqual(directive(html, 'form-action'), ["'none'"]);
  const styles = inline(html, 'style');
  assert.equal(styles.length, 1, 'one inline style');
  assert.deepEqual(directive(html, 'style-src'), [hash(styles[0])]);
  const scripts = inline(html, 'script');
  if (withScript) {
    assert.equal(scripts.length, 1, 'one executable inline script');
    assert.deepEqual(directive(html, 'script-src'), [hash(scripts[0])]);
  } else {
    assert.equal(scripts.length, 0);
    assert.equal(directive(html, 'script-src'), undefined, 'no script allowed');
  }
  assert.doesNotMatch(html, /\sstyle=/i, 'no style attribute (the CSP would refuse it)');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no handler attribute');
}

describe('reports/html: the report page', () => {
  const valid = renderReportHtml(sampleReport());
  const invalid = renderReportHtml(sampleReport({ anomaly: true }));

  it('allows exactly its own inline script and style by hash', () => {
    for (const html of [valid, invalid]) assertStrictCsp(html, true);
  });

  it('embeds the data as JSON that reads back unchanged', () => {
    const data = sampleReport({ anomaly: true });
    const blocks = inline(renderReportHtml(data), 'script', ' type="application/json" id="report-data"');
    assert.equal(blocks.length, 1);
    assert.deepEqual(JSON.parse(blocks[0]), data);
  });

  it('keeps a value that closes the script tag inside the data block', () => {
    const hostile = `${CLOSE_SCRIPT}<!-- & \u2028\u2029 -->`;
    const data = sampleReport({ anomaly: true, valueText: hostile });
    data.title = CLOSE_SCRIPT;
    anomaliesOf(data)[0].prose = hostile;
    const html = renderReportHtml(data);
    assert.equal(html.split(CLOSE_SCRIPT).length - 1, 0, 'the markup never appears raw');
    assert.equal(html.split('<script').length - 1, 2, 'the data block and the page script, nothing else');
    assert.doesNotMatch(html, /[\u2028\u2029]/);
    const block = inline(html, 'script', ' type="application/json" id="report-data"')[0];
    assert.doesNotMatch(block, /[<>&]/);
    const back = JSON.parse(block) as typeof data;
    assert.equal(back.ops[0].v, hostile);
    assert.equal(back.title, CLOSE_SCRIPT);
    assert.ok(html.includes('<title>&#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;</title>'), 'the title escaped');
    assertStrictCsp(html, true);
  });

  it('names no URL: nothing to fetch, not even a namespace', () => {
    for (const html of [valid, invalid]) {
      assert.doesNotMatch(html, /https?:/i);
      assert.doesNotMatch(html, /\/\//);
      assert.doesNotMatch(html, /\s(src|href)="(?!#)/i, 'only in-page links');
    }
  });

  it('carries the DOM the browser tests rely on', () => {
    assert.match(valid, /<div id="verdict" class="verdict" data-verdict="valid">[^]*?Valid/);
    assert.match(invalid, /<div id="verdict" class="verdict" data-verdict="invalid">[^]*?Anomaly found/);
    assert.match(renderReportHtml({ ...sampleReport(), verdict: 'unknown' }), /data-verdict="unknown">[^]*?Unknown/);
    assert.match(invalid, /id="anomalies"/, 'the linearization views of an invalid run');
    for (const id of ['replay', 'config', 'timeline', 'latency', 'throughput', 'checkers', 'checker-linearizable', 'tooltip', 'timeline-zoom-in', 'timeline-zoom-out', 'timeline-reset'])
      assert.match(valid, new RegExp(`id="${id}"`), id);
    assert.match(valid, /<details class="list" data-kind="passed-keys">/, 'passed keys, collapsed');
    assert.match(invalid, /<a id="jump-to-error" href="#first-error">/);
    assert.doesNotMatch(valid, /id="jump-to-error"/);
    assert.match(valid, /<div id="tooltip" role="tooltip" hidden>/);
  });
});

describe('reports/index-page: the store index', () => {
  const run = (name: string, time: string, verdict: StoreIndexRun['verdict'], hasReport = true): StoreIndexRun => ({
    name,
    dir: `${name}/${time.replace(/[-:]/g, '')}`,
    time,
    verdict,
    ops: 1234,
    hasReport,
    seed: 7,
  });
  const runs = [
    run('raft-kv-register', '2026-11-20T10:00:00.000Z', true),
    run('primary-backup-register', '2026-11-22T19:39:55.658Z', false),
    run('raft-kv-register', '2026-11-22T08:00:00.000Z', 'unknown'),
    run('raft-kv-register', '2026-11-21T10:00:00.000Z', null, false),
  ];
  const html = renderStoreIndex(runs);

  it('lists every run newest first, linked to its report when it has one', () => {
    const times = [...html.matchAll(/<tr class="run[^"]*">[^]*?<time datetime="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(times, ['2026-11-22T19:39:55.658Z', '2026-11-22T08:00:00.000Z', '2026-11-21T10:00:00.000Z', '2026-11-20T10:00:00.000Z']);
    assert.ok(html.includes('href="primary-backup-register/20261122T193955.658Z/report.html"'));
    assert.ok(!html.includes('20261121T100000.000Z/report.html'), 'no link without a report');
  });

  it('draws a trend strip per test, oldest to newest', () => {
    const strip = /<tr><th>raft-kv-register<\/th><td class="strip">(.*?)<\/td>/.exec(html)?.[1] ?? '';
    assert.deepEqual(
      [...strip.matchAll(/class="sq v-(\w+)"/g)].map((m) => m[1]),
      ['valid', 'none', 'unknown'],
    );
    const many = Array.from({ length: 40 }, (_, j) => run('t', new Date(Date.UTC(2026, 0, 1, 0, j)).toISOString(), j % 2 === 0));
    const squares = renderStoreIndex(many).match(/class="sq /g) ?? [];
    assert.equal(squares.length, 30, 'the last 30');
  });

  it('escapes names and encodes directories, under a CSP that allows no script', () => {
    const hostile = renderStoreIndex([{ ...run('x', '2026-01-01T00:00:00.000Z', false), name: CLOSE_SCRIPT, dir: 'javascript:alert(1)/"><b>' }]);
    assert.ok(!hostile.includes(CLOSE_SCRIPT));
    assert.ok(hostile.includes('href="javascript%3Aalert(1)/%22%3E%3Cb%3E/report.html"'));
    assertStrictCsp(hostile, false);
    assertStrictCsp(html, false);
    assert.doesNotMatch(html, /https?:|\/\//);
  });

  it('says so when the store is empty', () => {
    assert.match(renderStoreIndex([]), /No runs yet/);
  });

  it('shows how a run without a verdict ended, and why, instead of "No results"', () => {
    const stopped = (time: string, status: 'error' | 'interrupted' | 'crashed', reason: string): StoreIndexRun => ({ ...run('t', time, 'unknown', false), status, reason });
    const page = renderStoreIndex([
      stopped('2026-11-23T10:00:00.000Z', 'error', 'cannot reach Docker (unix:///x.sock): is dockerd running?'),
      stopped('2026-11-23T11:00:00.000Z', 'interrupted', 'SIGINT'),
      stopped('2026-11-23T12:00:00.000Z', 'crashed', '<b>boom</b>'),
      { ...run('t', '2026-11-23T13:00:00.000Z', true), status: 'ok' },
    ]);
    const verdicts = [...page.matchAll(/<td class="verdict">(.*?)<\/td>/g)].map((m) => m[1]);
    assert.deepEqual(verdicts, [
      '<span class="badge v-valid">Valid</span>',
      '<span class="badge v-crashed">Crashed</span> <span class="reason">&#60;b&#62;boom&#60;/b&#62;</span>',
      '<span class="badge v-interrupted">Interrupted</span> <span class="reason">SIGINT</span>',
      '<span class="badge v-error">Could not run</span> <span class="reason">cannot reach Docker (unix:///x.sock): is dockerd running?</span>',
    ]);
    assert.match(page, /4 runs of 1 test: 1 valid, 0 with an anomaly, 0 unknown, 1 could not run, 1 interrupted, 1 crashed\./);
    assert.ok(!page.includes('No results'));
    const strip = /<td class="strip">(.*?)<\/td>/.exec(page)?.[1] ?? '';
    assert.deepEqual([...strip.matchAll(/class="sq v-(\w+)"[^>]*? title="([^"]*)"/g)].map((m) => [m[1], m[2].split(' · ')[1]]), [
      ['error', 'Could not run: cannot reach Docker (unix:///x.sock): is dockerd running?'],
      ['interrupted', 'Interrupted: SIGINT'],
      ['crashed', 'Crashed: &#60;b&#62;boom&#60;/b&#62;'],
      ['valid', 'Valid'],
    ]);
  });
});
