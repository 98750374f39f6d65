/**
 * The HTML report of a 1,000,000-op history: how big the page is (goal < 20 MB), how long it takes to build, and
 * how long Chromium takes to open it until the page says it is ready (goal < 3 s), with the page's JS heap.
 * The history is bench/gen/generate-history.js's (1,000 keys, 32 processes, 1 % crashed ops; the same file as
 * bench/check-generated.ts's, reused from bench/out/).
 *
 *   node dist/bench/report-size.js [--ops n] [--opens n]
 */
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readHistoryFile } from '../checkers/formats/index.js';
import { check } from '../checkers/linearizability/index.js';
import { buildReport } from '../reports/build.js';
import { renderReportHtml } from '../reports/html.js';
import { launchChromium, openFile } from '../test/support/browser.js';
import { manyKeysHistory } from './gen/histories.js';

const { values } = parseArgs({ options: { ops: { type: 'string', default: '1000000' }, opens: { type: 'string', default: '3' } } });
const ops = Number(values.ops);
const opens = Number(values.opens);

const source = manyKeysHistory(ops);

const runDir = mkdtempSync(join(tmpdir(), 'faultline-report-bench-'));
symlinkSync(source, join(runDir, 'history.jsonl'));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
try {
  const t0 = performance.now();
  const history = await readHistoryFile(join(runDir, 'history.jsonl'));
  const t1 = performance.now();
  const result = await check(history, 'cas-register', { cancelOnInvalid: false });
  const t2 = performance.now();
  const data = buildReport({ history: history.ops, check: result, title: `${ops} ops` });
  const t3 = performance.now();
  const html = renderReportHtml(data);
  const report = join(runDir, 'report.html');
  writeFileSync(report, html);
  const t4 = performance.now();
  const mb = statSync(report).size / 1e6;

  console.log(`history: ${ops} ops (${history.ops.length} events), verdict ${String(result.valid)}`);
  console.log(`report: ${mb.toFixed(2)} MB (goal < 20 MB); timeline ${data.opsSampled.shown} of ${data.opsSampled.total} ops, ${data.latency.points.length} latency points`);
  console.log(`build: read ${seconds(t1 - t0)}, check ${seconds(t2 - t1)}, buildReport ${seconds(t3 - t2)}, render + write ${seconds(t4 - t3)}; report alone ${seconds(t4 - t2)}, all ${seconds(t4 - t0)}`);
  console.log(`node peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);

  const browser = await launchChromium();
  try {
    for (let k = 1; k <= opens; k++) {
      const start = performance.now();
      const o = await openFile(browser, report, { timeoutMs: 60_000 });
      const ms = performance.now() - start;
      // When the page's script had drawn everything (its own performance measures), as opposed to when the page
      // answered again: the difference is the browser's style, layout and paint of what was drawn.
      const drawn = await o.page.evaluate<number>(
        "Math.max(0, ...performance.getEntriesByType('measure').filter((m) => m.name.startsWith('faultline:')).map((m) => m.startTime + m.duration))",
      );
      const cdp = await o.context.newCDPSession(o.page);
      const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
      const problems = [...o.pageErrors, ...o.consoleErrors, ...o.requests];
      console.log(
        `open ${k}: ready in ${seconds(ms)} (goal < 3 s; the script had drawn everything at ${seconds(drawn)}); JS heap ${(heap.usedSize / 1e6).toFixed(1)} MB used of ${(heap.totalSize / 1e6).toFixed(1)} MB` +
          (problems.length ? `; problems: ${problems.join(' | ')}` : ''),
      );
      await o.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  rmSync(runDir, { recursive: true, force: true });
}
