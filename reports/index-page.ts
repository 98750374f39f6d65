import type { RunStatus } from '../harness/store/index.js';
import { esc, num, page } from './html.js';

/** One stored run as the store's index lists it. */
export interface StoreIndexRun {
  name: string;
  /** The run's directory relative to the store root, e.g. 'raft-kv-register/20261122T193955.658Z'. */
  dir: string;
  /** When the run started (ISO). */
  time: string;
  /** null: no results (the run is still going, or was killed before it could write them). */
  verdict: true | false | 'unknown' | null;
  /** How the run ended (absent: results stored before runs had a status, which ended `ok`). */
  status?: RunStatus;
  /** Why a run did not end `ok`, in one line: the index shows it. */
  reason?: string;
  ops: number | null;
  hasReport: boolean;
  seed?: number;
}

/** How many of a test's latest verdicts its trend strip shows. */
export const TREND_LENGTH = 30;

/**
 * `store/index.html`: a trend strip per test (its latest verdicts as coloured squares, oldest to newest, each a
 * link to its run's report) and every run, newest first. Static: no script at all, so the CSP allows none.
 */
export function renderStoreIndex(runs: StoreIndexRun[]): string {
  const sorted = [...runs].sort(newestFirst);
  const tests = new Map<string, StoreIndexRun[]>();
  for (const r of sorted) {
    const list = tests.get(r.name);
    if (list) list.push(r);
    else tests.set(r.name, [r]);
  }
  const counts = { valid: 0, invalid: 0, unknown: 0, error: 0, interrupted: 0, crashed: 0, none: 0 };
  for (const r of runs) counts[verdictOf(r).id]++;

  const trends = [...tests]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, list]) => {
      const latest = list.slice(0, TREND_LENGTH).reverse();
      const squares = latest.map((r) => {
        const v = verdictOf(r);
        const label = `${r.time} · ${v.text}${r.reason !== undefined ? `: ${r.reason}` : ''}${r.seed !== undefined ? ` · seed ${r.seed}` : ''}`;
        return r.hasReport
          ? `<a class="sq v-${v.id}" href="${esc(reportHref(r.dir))}" title="${esc(label)}" aria-label="${esc(label)}"></a>`
          : `<span class="sq v-${v.id}" title="${esc(label)} · no report" aria-label="${esc(label)}"></span>`;
      });
      const last = verdictOf(list[0]);
      return `<tr><th>${esc(name)}</th><td class="strip">${squares.join('')}</td><td class="last v-${last.id}">${last.text}</td><td class="n">${num(list.length)} ${list.length === 1 ? 'run' : 'runs'}</td></tr>`;
    });

  const rows = sorted.map((r) => {
    const v = verdictOf(r);
    const reason = r.reason !== undefined && r.status !== undefined && r.status !== 'ok' ? ` <span class="reason">${esc(r.reason)}</span>` : '';
    const link = r.hasReport ? `<a href="${esc(reportHref(r.dir))}">report</a>` : `<span class="muted">no report</span>`;
    return [
      `<tr class="run v-${v.id}">`,
      `<td class="name">${esc(r.name)}</td>`,
      `<td class="time"><time datetime="${esc(r.time)}">${esc(displayTime(r.time))}</time></td>`,
      `<td class="verdict"><span class="badge v-${v.id}">${v.text}</span>${reason}</td>`,
      `<td class="ops">${r.ops === null ? '—' : num(r.ops)}</td>`,
      `<td class="seed">${r.seed === undefined ? '' : esc(String(r.seed))}</td>`,
      `<td class="link">${link}</td>`,
      `</tr>`,
    ].join('');
  });

  const body = [
    `<header><h1>faultline runs</h1>`,
    `<p class="summary">${num(runs.length)} ${runs.length === 1 ? 'run' : 'runs'} of ${num(tests.size)} ${tests.size === 1 ? 'test' : 'tests'}: ${num(counts.valid)} valid, ${num(counts.invalid)} with an anomaly, ${num(counts.unknown)} unknown${stoppedCounts(counts)}${counts.none ? `, ${num(counts.none)} without results` : ''}.</p></header>`,
    `<main>`,
    tests.size > 0
      ? `<section id="trends"><h2>Trends</h2><p class="note">The last ${TREND_LENGTH} runs of each test, oldest to newest.</p><div class="scroll"><table class="trends">${trends.join('')}</table></div></section>`
      : '',
    `<section id="runs"><h2>Runs</h2>`,
    runs.length > 0
      ? `<div class="scroll"><table class="runs"><thead><tr><th>test</th><th>started</th><th>verdict</th><th>ops</th><th>seed</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
      : `<p class="note">No runs yet.</p>`,
    `</section>`,
    `</main>`,
  ];
  return page('faultline runs', body.filter((s) => s !== '').join('\n'), { style: INDEX_CSS });
}

function newestFirst(a: StoreIndexRun, b: StoreIndexRun): number {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  if (!Number.isNaN(ta) && !Number.isNaN(tb) && ta !== tb) return tb - ta;
  return a.time < b.time ? 1 : a.time > b.time ? -1 : a.dir < b.dir ? 1 : a.dir > b.dir ? -1 : 0;
}

/** A relative link to the run's report; each segment encoded, so no directory name can read as a scheme or a query. */
function reportHref(dir: string): string {
  return [...dir.split('/').filter((s) => s !== '' && s !== '.'), 'report.html'].map(encodeURIComponent).join('/');
}

function displayTime(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

type VerdictId = 'valid' | 'invalid' | 'unknown' | 'error' | 'interrupted' | 'crashed' | 'none';

/** The runs that ended without a verdict, by how: `, 1 could not run, 2 interrupted` (nothing when there are none). */
function stoppedCounts(c: Record<VerdictId, number>): string {
  const parts = [c.error && `${num(c.error)} could not run`, c.interrupted && `${num(c.interrupted)} interrupted`, c.crashed && `${num(c.crashed)} crashed`];
  return parts.filter(Boolean).map((p) => `, ${p}`).join('');
}

/** What a run's badge says: its verdict, or how it ended when it ended without one. */
function verdictOf(r: Pick<StoreIndexRun, 'verdict' | 'status'>): { id: VerdictId; text: string } {
  if (r.status === 'error') return { id: 'error', text: 'Could not run' };
  if (r.status === 'interrupted') return { id: 'interrupted', text: 'Interrupted' };
  if (r.status === 'crashed') return { id: 'crashed', text: 'Crashed' };
  const v = r.verdict;
  if (v === true) return { id: 'valid', text: 'Valid' };
  if (v === false) return { id: 'invalid', text: 'Anomaly found' };
  if (v === 'unknown') return { id: 'unknown', text: 'Unknown' };
  return { id: 'none', text: 'No results' };
}

const INDEX_CSS = `
:root{--good:#1f8a4c;--bad:#d7263d;--unk:#d69e2e;--none:#b5b5b5;--err:#6b4c9a;--stop:#7a8591;--crash:#8b1a1a;--fg:#1d232b;--muted:#5c6773;--line:#d9dee4}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:#fff}
header,main{max-width:1100px;margin:0 auto;padding:.5rem 1rem}
h1{font-size:1.3rem;margin:.5rem 0 .25rem}
h2{font-size:1.05rem;margin:1rem 0 .4rem}
.summary,.note{color:var(--muted);margin:.25rem 0}
.note{font-size:.85rem}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem}
table.runs{width:100%}
table.runs th{text-align:left;font-weight:500;color:var(--muted);border-bottom:1px solid var(--line);padding:.3rem .6rem .3rem 0}
table.runs td{border-bottom:1px solid var(--line);padding:.3rem .6rem .3rem 0;white-space:nowrap}
td.ops,td.seed,td.n{font-variant-numeric:tabular-nums;text-align:right}
td.name{white-space:normal;word-break:break-word}
.trends th{text-align:left;font-weight:500;padding:.2rem .8rem .2rem 0;white-space:nowrap}
.trends td{padding:.2rem .6rem .2rem 0;white-space:nowrap}
.strip{display:flex;gap:3px}
.sq{display:inline-block;width:14px;height:14px;border-radius:2px;background:var(--none)}
a.sq:hover{outline:2px solid var(--fg)}
.sq.v-valid{background:var(--good)}.sq.v-invalid{background:var(--bad)}.sq.v-unknown{background:var(--unk)}
.sq.v-error,.badge.v-error{background:var(--err)}.sq.v-interrupted,.badge.v-interrupted{background:var(--stop)}.sq.v-crashed,.badge.v-crashed{background:var(--crash)}
td.verdict{white-space:normal}.reason{color:var(--muted);font-size:.85rem;word-break:break-word}
.badge{display:inline-block;padding:0 .45rem;border-radius:3px;font-size:.8rem;font-weight:600;color:#fff;background:var(--none)}
.badge.v-valid{background:var(--good)}.badge.v-invalid{background:var(--bad)}.badge.v-unknown{background:var(--unk)}
.last.v-valid{color:var(--good)}.last.v-invalid{color:var(--bad)}.last.v-unknown{color:var(--unk)}.last.v-none{color:var(--muted)}.last.v-error{color:var(--err)}.last.v-interrupted{color:var(--stop)}.last.v-crashed{color:var(--crash)}
.muted{color:var(--muted)}
a{color:#1f5fa8}
@media (max-width:640px){body{font-size:14px}header,main{padding:.5rem .6rem}td.seed,th:nth-child(5){display:none}}
`.trim();
